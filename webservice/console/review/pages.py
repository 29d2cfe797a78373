"""Conversation review for designers: the flagged queue, a conversation read turn by turn,
corrections saved to data/nlu/reviewed.yml, "save as test story", the corrections patch.

Thin pages over :class:`insights.service.ReviewService` (the CLI twin is
catalog_loader/review_cli.py); nothing here knows Rasa's event format.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from accounts.staff import SignedIn
from insights.annotations import AnnotationError, Span
from insights.corrections import CorrectionError, DomainNames
from insights.language import LANGUAGES
from insights.markers import MARKERS, ReviewItem
from insights.periods import local_time
from insights.service import NotFound, ReviewService
from insights.store import TrackerStoreError
from webservice.console.rendering import ConsoleRoute, render
from webservice.console.security import require_staff
from webservice.console.state import console_state
from webservice.console.ui import NavItem

router = APIRouter(route_class=ConsoleRoute)
NAV = [NavItem("nav.review", "/console/review", ("designer",), order=30, icon="chat")]
designers = require_staff("designer")
DEFAULT_DAYS = 7
HIDDEN_SLOTS = {"search_results", "vehicle_offer", "suggestion"}


def review_service(request: Request) -> ReviewService:
    return console_state(request).review  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- queue
@router.get("/console/review")
def queue(request: Request, staff: SignedIn = Depends(designers)) -> Response:
    params = dict(request.query_params)
    errors: dict[str, str] = {}
    marker = _choice(params, "marker", MARKERS, errors)
    language = _choice(params, "language", LANGUAGES, errors)
    today = local_time_today(review_service(request))
    first = _date(params, "since", errors) or (today - timedelta(days=DEFAULT_DAYS - 1))
    last = _date(params, "until", errors) or today
    service = review_service(request)
    try:
        found = service.queue(first, last, marker, language, include_unflagged=params.get("all") == "1")
    except TrackerStoreError as exc:
        return _store_down(request, exc)
    context = {
        "queue": found,
        "markers": MARKERS,
        "languages": LANGUAGES,
        "marker": marker,
        "language": language,
        "since": first.isoformat(),
        "until": last.isoformat(),
        "show_all": params.get("all") == "1",
        "errors": errors,
        "started": lambda item: _when(service, item.conversation.started_at),
    }
    return render(request, "console/review_queue.html", context, status_code=400 if errors else 200)


# --------------------------------------------------------------------------- one conversation
@router.get("/console/review/conversations/{sender_id}/{session}")
def conversation(
    request: Request, sender_id: str, session: int, staff: SignedIn = Depends(designers)
) -> Response:
    return _conversation_page(request, sender_id, session)


@router.post("/console/review/conversations/{sender_id}/{session}/correct")
def correct(
    request: Request,
    sender_id: str,
    session: int,
    event_index: int = Form(...),
    intent: str = Form(...),
    spans: str = Form("[]"),
    staff: SignedIn = Depends(designers),
) -> Response:
    """Save one message's right reading; a conflict or a bad span is shown on the page, not saved."""
    service = review_service(request)
    try:
        parsed = _spans(spans)
        result = service.correct(
            f"{sender_id}:{session}", event_index, intent, parsed, reviewer=staff.username
        )
    except NotFound as exc:
        raise HTTPException(404) from exc
    except TrackerStoreError as exc:
        return _store_down(request, exc)
    except (CorrectionError, AnnotationError, ValueError) as exc:
        feedback = {"event_index": event_index, "status": "invalid", "message": str(exc)}
        return _conversation_page(request, sender_id, session, feedback, status_code=400)
    if result.written:
        url = f"/console/review/conversations/{sender_id}/{session}?saved={event_index}#event-{event_index}"
        return RedirectResponse(url, 303)
    feedback = {"event_index": event_index, "status": result.status, "example": result.example,
                "conflicts": result.conflicts}  # fmt: skip
    return _conversation_page(request, sender_id, session, feedback, status_code=409)


@router.post("/console/review/conversations/{sender_id}/{session}/story")
def save_story(
    request: Request, sender_id: str, session: int, note: str = Form(""), staff: SignedIn = Depends(designers)
) -> Response:
    service = review_service(request)
    try:
        path = service.save_story(f"{sender_id}:{session}", note.strip()[:120])
    except NotFound as exc:
        raise HTTPException(404) from exc
    except TrackerStoreError as exc:
        return _store_down(request, exc)
    shown = path.relative_to(service.settings.root)
    return RedirectResponse(f"/console/review/conversations/{sender_id}/{session}?story={shown}", 303)


@router.get("/console/review/corrections.patch")
def corrections_patch(
    request: Request,
    since: str | None = None,
    staff: SignedIn = Depends(require_staff("designer", data=True)),
) -> Response:
    """Every saved correction (since a day) as a unified diff, for a pull request."""
    errors: dict[str, str] = {}
    first = _date({"since": since} if since else {}, "since", errors)
    if errors:
        raise HTTPException(400)
    service = review_service(request)
    start = None
    if first is not None:
        from insights.periods import day_bounds

        start = day_bounds(first, first, service.settings.timezone)[0]
    patch = service.patch(start)
    name = f"reviewed-examples-{local_time_today(service).isoformat()}.patch"
    return Response(patch, media_type="text/x-diff; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


# --------------------------------------------------------------------------- helpers
def _conversation_page(
    request: Request, sender_id: str, session: int, feedback: dict | None = None, status_code: int = 200
) -> Response:
    service = review_service(request)
    try:
        item = service.item(f"{sender_id}:{session}")
    except NotFound as exc:
        raise HTTPException(404) from exc
    except TrackerStoreError as exc:
        return _store_down(request, exc)
    domain = DomainNames.load(service.settings.domain_path)
    corrections = service.corrections_of(item.conversation)
    context = {
        "item": item,
        "turns": [
            _turn_view(turn, item, corrections.get(turn.event_index)) for turn in item.conversation.turns
        ],
        "intents": [i for i in domain.intents if i != "nlu_fallback"],
        "entities": domain.entities,
        "feedback": feedback,
        "saved": request.query_params.get("saved"),
        "story": request.query_params.get("story"),
        "started": _when(service, item.conversation.started_at),
        "opening": item.conversation.opening_replies,
    }
    return render(request, "console/review_conversation.html", context, status_code=status_code)


def _turn_view(turn, item: ReviewItem, correction) -> dict[str, Any]:  # noqa: ANN001
    """What the template shows for one customer message: text in pieces, entities marked."""
    return {
        "turn": turn,
        "pieces": highlight(turn.text, [(e.start, e.end, e.entity, e.value) for e in turn.entities]),
        "flags": item.flags_on(turn.number),
        "slots": {k: v for k, v in turn.slots_after.items() if v not in (None, "") and k not in HIDDEN_SLOTS},
        "changed": set(turn.slots_set),
        "correction": correction,
        "entities_json": json.dumps(
            [
                {"start": e.start, "end": e.end, "entity": e.entity, "value": str(e.value)}
                for e in turn.entities
                if isinstance(e.start, int)
            ],
            ensure_ascii=False,
        ),  # fmt: skip
    }


def highlight(text: str, entities: list[tuple]) -> list[dict[str, Any]]:
    """The message cut into plain and entity pieces (escaped by the template, never raw HTML)."""
    pieces, position = [], 0
    spans = sorted(
        (s, e, name, value) for s, e, name, value in entities if isinstance(s, int) and isinstance(e, int)
    )
    for start, end, name, value in spans:
        if start < position or end > len(text):
            continue  # overlapping extractors: keep the first
        if start > position:
            pieces.append({"text": text[position:start]})
        pieces.append({"text": text[start:end], "entity": name, "value": value})
        position = end
    if position < len(text):
        pieces.append({"text": text[position:]})
    return pieces


def _spans(raw: str) -> list[Span]:
    try:
        data = json.loads(raw or "[]")
    except json.JSONDecodeError:
        raise ValueError("the marked entities could not be read; mark them again") from None
    if not isinstance(data, list):
        raise ValueError("the marked entities could not be read; mark them again")
    spans = []
    for item in data:
        if not isinstance(item, dict):
            raise ValueError("the marked entities could not be read; mark them again")
        try:
            spans.append(
                Span(int(item["start"]), int(item["end"]), str(item["entity"]), item.get("value") or None)
            )
        except (KeyError, TypeError, ValueError):
            raise ValueError("the marked entities could not be read; mark them again") from None
    return spans


def _choice(params: dict, name: str, allowed: tuple[str, ...], errors: dict[str, str]) -> str | None:
    value = params.get(name) or None
    if value is not None and value not in allowed:
        errors[name] = value
        return None
    return value


def _date(params: dict, name: str, errors: dict[str, str]) -> date | None:
    value = params.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = value
        return None


def local_time_today(service: ReviewService) -> date:
    import time

    return local_time(time.time(), service.settings.timezone).date()


def _when(service: ReviewService, timestamp: float) -> str:
    return local_time(timestamp, service.settings.timezone).strftime("%Y-%m-%d %H:%M")


def _store_down(request: Request, exc: TrackerStoreError) -> Response:
    return render(request, "console/review_unavailable.html", {"reason": str(exc)}, status_code=503)
