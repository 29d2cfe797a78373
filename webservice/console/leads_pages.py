"""The leads inbox: list with filters and search, the lead page, workflow changes, CSV export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.staff import SignedIn, StaffUser
from catalog import lead_workflow as workflow
from catalog.leads import LeadError
from catalog.schema import LEAD_KINDS, LEAD_STATUSES, Customer, Lead, Part
from webservice.console.rendering import ConsoleRoute, render
from webservice.console.security import require_staff
from webservice.console.state import ConsoleState, console_state
from webservice.console.transcripts import TranscriptUnavailable
from webservice.console.ui import NavItem

router = APIRouter(route_class=ConsoleRoute)
NAV = [NavItem("nav.leads", "/console/leads", ("agent",), order=10, icon="inbox")]
agents = require_staff("agent")


@dataclass(frozen=True)
class ItemToday:
    """An item as shown to the customer, next to today's catalog price and stock."""

    sku: str
    name: str
    brand: str
    part_number: str
    shown_price: Decimal | None
    price_today: Decimal | None
    stock_today: int | None
    chosen: bool

    @property
    def in_catalog(self) -> bool:
        return self.price_today is not None

    @property
    def price_changed(self) -> bool:
        return None not in (self.shown_price, self.price_today) and self.shown_price != self.price_today


# --------------------------------------------------------------------------- inbox
@router.get("/console/leads")
def inbox(request: Request, page: int = 1, staff: SignedIn = Depends(agents)) -> Response:
    f = workflow.LeadFilter.from_params(dict(request.query_params))
    page = max(1, min(page, 10_000))
    with console_state(request).db() as session:
        leads, total = workflow.find_leads(
            session, f, limit=workflow.PAGE_SIZE, offset=(page - 1) * workflow.PAGE_SIZE
        )
        context = {
            "leads": leads,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // workflow.PAGE_SIZE)),
            "filter": f,
            "typed": dict(request.query_params),
            "statuses": LEAD_STATUSES,
            "kinds": LEAD_KINDS,
            "makes": workflow.known_makes(session),
            "assignees": _assignees(session),
            "names": _names(session),
            "new_count": workflow.count_new(session),
        }
    return render(request, "console/leads.html", context, status_code=400 if f.errors else 200)


@router.get("/console/leads.csv")
def export(request: Request, staff: SignedIn = Depends(require_staff("agent", data=True))) -> Response:
    f = workflow.LeadFilter.from_params(dict(request.query_params))
    with console_state(request).db() as session:
        body = workflow.export_csv(session, f)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="leads-{stamp}.csv"'},
    )


# --------------------------------------------------------------------------- lead page
@router.get("/console/leads/{lead_id}")
def lead_page(request: Request, lead_id: int, staff: SignedIn = Depends(agents)) -> Response:
    return _lead_page(request, lead_id)


def _lead_page(
    request: Request, lead_id: int, status_code: int = 200, error: str | None = None,
    typed: dict | None = None,
) -> Response:
    state = console_state(request)
    with state.db() as session:
        lead = workflow.get_lead(session, lead_id)
        if lead is None:
            raise HTTPException(404)
        customer = session.get(Customer, lead.customer_id) if lead.customer_id else None
        transcript, transcript_error = _transcript(state, lead)
        context = {
            "lead": lead,
            "customer": customer,
            "items": _items(session, state, lead),
            "transcript": transcript,
            "transcript_error": transcript_error,
            "next_statuses": workflow.TRANSITIONS.get(lead.status, ()),
            "assignees": _assignees(session),
            "names": _names(session),
            "error": error,
            "typed": typed or {},
        }
    return render(request, "console/lead.html", context, status_code=status_code)


def _transcript(state: ConsoleState, lead: Lead):  # noqa: ANN202
    try:
        return state.transcripts.transcript(lead.conversation_id), None
    except TranscriptUnavailable as exc:
        return None, str(exc)


def _items(session: Session, state: ConsoleState, lead: Lead) -> list[ItemToday]:
    """The items the customer was shown (chosen one first), each with today's price and stock."""
    details = lead.details or {}
    shown: dict[str, dict] = {}
    if lead.sku:
        shown[lead.sku] = {"sku": lead.sku, "price_aed": lead.price_aed, **_chosen_details(details)}
    remembered = details.get("items_shown")
    if not isinstance(remembered, list):
        remembered = _shown_from_tracker(state, lead)
    for item in remembered:
        if isinstance(item, dict) and item.get("sku") and item["sku"] not in shown:
            shown[str(item["sku"])] = item
    if not shown:
        return []
    parts = {
        p.sku: p for p in session.execute(select(Part).where(Part.sku.in_(list(shown)))).scalars()
    }
    if lead.part_id and lead.sku not in parts:
        part = session.get(Part, lead.part_id)
        if part is not None:
            parts[lead.sku] = part
    return [_item_today(sku, item, parts.get(sku), sku == lead.sku) for sku, item in shown.items()]


def _chosen_details(details: dict) -> dict:
    return {k: details.get(k) for k in ("name", "brand", "part_number") if details.get(k)}


def _shown_from_tracker(state: ConsoleState, lead: Lead) -> list[dict]:
    """The last list the assistant showed before the lead (the ``search_results`` slot)."""
    try:
        value = state.transcripts.latest_slot(lead.conversation_id, "search_results", before=lead.created_at)
    except TranscriptUnavailable:
        return []
    if not isinstance(value, dict):
        return []
    items = value.get("items") if isinstance(value.get("items"), dict) else {}
    return [items[sku] for sku in value.get("latest") or [] if isinstance(items.get(sku), dict)]


def _item_today(sku: str, item: dict, part: Part | None, chosen: bool) -> ItemToday:
    return ItemToday(
        sku=sku,
        name=str(item.get("name") or (part.name if part else "")),
        brand=str(item.get("brand") or (part.brand if part else "")),
        part_number=str(item.get("part_number") or (part.part_number if part else "")),
        shown_price=_decimal(item.get("price_aed")),
        price_today=part.price_aed if part else None,
        stock_today=part.stock if part else None,
        chosen=chosen,
    )


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except ArithmeticError:
        return None


def _assignees(session: Session) -> list[StaffUser]:
    stmt = (
        select(StaffUser)
        .where(StaffUser.disabled.is_(False), StaffUser.role.in_(("agent", "admin")))
        .order_by(StaffUser.display_name)
    )
    return list(session.execute(stmt).scalars())


def _names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(StaffUser.username, StaffUser.display_name)).all())


# --------------------------------------------------------------------------- changes
@router.post("/console/leads/{lead_id}/status")
def change_status(
    request: Request, lead_id: int, status: str = Form(""), reason: str = Form(""),
    staff: SignedIn = Depends(agents),
) -> Response:
    return _change(request, lead_id, staff, {"status": status, "reason": reason},
                   lambda s, lead: workflow.change_status(s, lead, status, staff.username, reason))


@router.post("/console/leads/{lead_id}/note")
def add_note(
    request: Request, lead_id: int, text: str = Form(""), staff: SignedIn = Depends(agents)
) -> Response:
    return _change(request, lead_id, staff, {"note": text},
                   lambda s, lead: workflow.add_note(s, lead, staff.username, text))


@router.post("/console/leads/{lead_id}/assign")
def assign(
    request: Request, lead_id: int, username: str = Form(""), staff: SignedIn = Depends(agents)
) -> Response:
    def apply(session: Session, lead: Lead) -> None:
        if username:
            stmt = select(StaffUser).where(StaffUser.username == username)
            user = session.execute(stmt).scalar_one_or_none()
            if user is None or user.disabled:
                raise LeadError(f"no enabled staff account named {username!r}")
        workflow.assign(session, lead, staff.username, username or None)

    return _change(request, lead_id, staff, {"username": username}, apply)


def _change(request: Request, lead_id: int, staff: SignedIn, typed: dict, apply) -> Response:  # noqa: ANN001
    """Apply one change; bad input re-renders the lead page with the message and what was typed."""
    try:
        with console_state(request).db() as session:
            lead = workflow.get_lead(session, lead_id)
            if lead is None:
                raise HTTPException(404)
            apply(session, lead)
    except LeadError as exc:
        return _lead_page(request, lead_id, status_code=400, error=str(exc), typed=typed)
    return RedirectResponse(f"/console/leads/{lead_id}#history", 303)
