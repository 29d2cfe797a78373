"""Shop analytics for the owner (admin): the sales funnel, demand signals for purchasing,
languages, fallback and handoff rates, reply times and busy hours, each with a CSV export.

Figures come from :mod:`insights` (the CLI twin: ``catalog_loader review analytics``).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from accounts.staff import SignedIn
from insights.funnel import STAGES
from insights.periods import local_time
from insights.report import TABLES
from insights.service import ReviewService
from insights.store import TrackerStoreError
from webservice.console.rendering import ConsoleRoute, render
from webservice.console.review.charts import bars, line_svg
from webservice.console.security import require_staff
from webservice.console.state import console_state
from webservice.console.ui import NavItem

router = APIRouter(route_class=ConsoleRoute)
NAV = [NavItem("nav.analytics", "/console/analytics", ("admin",), order=40, icon="chart")]
admins = require_staff("admin")
DEFAULT_DAYS = 28
GRAINS = ("day", "week")
TOP = 10


def _service(request: Request) -> ReviewService:
    return console_state(request).review  # type: ignore[attr-defined] - set by review_pages.setup


@router.get("/console/analytics")
def analytics(request: Request, staff: SignedIn = Depends(admins)) -> Response:
    service = _service(request)
    grain, first, last, errors = _window(request, service)
    try:
        result = service.analytics(list(TABLES), first, last, grain)
    except TrackerStoreError as exc:
        return render(request, "console/review_unavailable.html", {"reason": str(exc)}, status_code=503)
    tables = result.tables
    funnel_totals = {s: sum(tables["funnel"].column(s)) for s in STAGES}
    overview = {row["period"]: row for row in tables["overview"].as_dicts()}
    periods = periods_between(first, last, grain)
    context = {
        "tables": tables,
        "grain": grain,
        "grains": GRAINS,
        "since": first.isoformat(),
        "until": last.isoformat(),
        "errors": errors,
        "notes": result.notes,
        "conversations": result.conversations,
        "query": {"grain": grain, "since": first.isoformat(), "until": last.isoformat()},
        "funnel": bars(
            [(s, funnel_totals[s]) for s in STAGES], percent_of=funnel_totals["conversations"] or None
        ),
        "not_found": bars(_top(tables["not_found"])),
        "out_of_stock": bars(_top(tables["out_of_stock"])),
        "languages": bars([(r[0], r[1]) for r in tables["languages"].rows]),
        "hours": bars([(r[0], r[1]) for r in tables["busiest_hours"].rows]),
        "volume_chart": line_svg(periods, {"conversations": _series(overview, periods, "conversations", 0)}),
        "rates_chart": line_svg(
            periods,
            {name: _series(overview, periods, name, None) for name in ("fallback_rate", "handoff_rate")},
            percent=True,
        ),
    }
    return render(request, "console/analytics.html", context, status_code=400 if errors else 200)


@router.get("/console/analytics/{name}.csv")
def table_csv(
    request: Request, name: str, staff: SignedIn = Depends(require_staff("admin", data=True))
) -> Response:
    if name not in TABLES:
        raise HTTPException(404)
    service = _service(request)
    grain, first, last, errors = _window(request, service)
    if errors:
        raise HTTPException(400)
    try:
        table = service.analytics([name], first, last, grain).tables[name]
    except TrackerStoreError as exc:
        raise HTTPException(503) from exc
    filename = f"{name}-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(table.to_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})  # fmt: skip


def _window(request: Request, service: ReviewService) -> tuple[str, date, date, dict[str, str]]:
    params, errors = request.query_params, {}
    grain = params.get("grain") or "day"
    if grain not in GRAINS:
        errors["grain"], grain = grain, "day"
    today = local_time(time.time(), service.settings.timezone).date()
    first, last = today - timedelta(days=DEFAULT_DAYS - 1), today
    for name in ("since", "until"):
        value = params.get(name)
        if not value:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            errors[name] = value
            continue
        first, last = (day, last) if name == "since" else (first, day)
    return grain, first, last, errors


def periods_between(first: date, last: date, grain: str) -> list[str]:
    """Every day (or ISO week) of the window, so a quiet day shows as a dip, not a gap."""
    out: list[str] = []
    day = first
    while day <= last and len(out) < 400:
        label = day.isoformat() if grain == "day" else "{}-W{:02d}".format(*day.isocalendar()[:2])
        if not out or out[-1] != label:
            out.append(label)
        day += timedelta(days=1)
    return out


def _series(
    rows: dict[str, dict], periods: list[str], column: str, missing: float | None
) -> list[float | None]:
    return [rows[p][column] if p in rows else missing for p in periods]


def _top(table) -> list[tuple[str, float]]:  # noqa: ANN001 - insights.tables.Table
    out = []
    for row in table.as_dicts()[:TOP]:
        label = " ".join(str(row[k]) for k in ("part", "make", "model", "years") if row[k])
        out.append((label, row["conversations"]))
    return out
