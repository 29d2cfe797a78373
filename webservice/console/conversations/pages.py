"""Console pages for live conversations: the waiting queue, one conversation, staff actions, live stream.

Every action is a plain form POST (works without JavaScript) answered with the conversation page:
on success a redirect back to it, on failure the page again with the reason and what the agent
typed still in the box. ``conversations.js`` adds live updates (server-sent events), sending
without a reload, and the new-handoff chime.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.staff import SignedIn
from catalog.schema import Customer
from connectors.whatsapp.errors import MediaFetchError
from webservice.console.conversations.feed import stream
from webservice.console.conversations.service import ConsoleError, LiveConsole, SendResult
from webservice.console.conversations.transcript_bridge import entry_from_event, readable_entries
from webservice.console.events import ServerEvent
from webservice.console.rendering import ConsoleRoute, page_lang, render
from webservice.console.security import require_staff
from webservice.console.state import ConsoleState, console_state
from webservice.console.ui import NavItem

router = APIRouter(route_class=ConsoleRoute)
NAV = [NavItem("nav.conversations", "/console/conversations", ("agent",), order=20, icon="chat")]
agents = require_staff("agent")
agents_data = require_staff("agent", data=True)

_CONVERSATION_ID = re.compile(r"^[A-Za-z0-9._-]{3,64}$")  # wa_id digits or a BSUID (US.1349…)
_MEDIA_ID = re.compile(r"^[0-9]{1,40}$")


def setup(state: ConsoleState) -> None:
    """Build the live console for this app (connected on first use) and the new-handoff event."""
    settings = state.settings
    state.live = LiveConsole(settings.live, settings.database_url, settings.tracker_db_url)  # type: ignore[attr-defined]
    state.feed.add_source("handoff", new_handoffs, roles=("agent",))  # type: ignore[attr-defined]


async def on_startup(state: ConsoleState) -> None:
    """At start-up, not on the first page view: staff alerts must go out with no console open."""
    await state.live.ensure_started()  # type: ignore[attr-defined]


async def on_shutdown(state: ConsoleState) -> None:
    await state.live.stop()  # type: ignore[attr-defined]


async def live_console(request: Request) -> LiveConsole:
    """The process's :class:`LiveConsole`, started inside the running loop on first use."""
    live: LiveConsole = console_state(request).live  # type: ignore[attr-defined]
    await live.ensure_started()
    return live


# --------------------------------------------------------------------------- the queue
@router.get("/console/conversations")
async def queue_page(
    request: Request, staff: SignedIn = Depends(agents), live: LiveConsole = Depends(live_console)
) -> Response:
    return render(request, "console/conversations/queue.html", await _queue_context(live, _t(request)))


@router.get("/console/conversations/queue")
async def queue_fragment(
    request: Request, staff: SignedIn = Depends(agents_data), live: LiveConsole = Depends(live_console)
) -> Response:
    """The queue's list alone, re-fetched by the page when something changes."""
    return render(request, "console/conversations/_queue.html", await _queue_context(live, _t(request)))


@router.get("/console/conversations/open")
async def open_by_number(number: str = "", staff: SignedIn = Depends(agents)) -> Response:
    digits = "".join(ch for ch in number if ch.isdigit())
    if not _CONVERSATION_ID.match(digits or "-"):
        return RedirectResponse("/console/conversations?bad_number=1", 303)
    return RedirectResponse(f"/console/conversations/{digits}", 303)


async def _queue_context(live: LiveConsole, t: Any) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    waiting = await live.queue()
    return {
        "waiting": [(c, _duration(now - c.since, t) if c.since else "") for c in waiting],
        "feed_error": live.feed_error,
    }


# --------------------------------------------------------------------------- one conversation
@router.get("/console/conversations/{conversation_id}")
async def conversation_page(
    request: Request,
    conversation_id: str,
    q: str = "",
    make: str = "",
    model: str = "",
    year: str = "",
    staff: SignedIn = Depends(agents),
    live: LiveConsole = Depends(live_console),
) -> Response:
    conversation_id = _checked(conversation_id)
    notice = {"sent": "conv.sent", "taken": "conv.took_over", "back": "conv.handed_back"}.get(
        request.query_params.get("done", "")
    )
    hits, search_error = None, None
    if q.strip():
        try:
            hits = await live.search(q, make, model, year)
        except ConsoleError as exc:
            search_error = exc.message
    return await _conversation(
        request, live, conversation_id, notice_key=notice, hits=hits, search_error=search_error,
        search={"q": q, "make": make, "model": model, "year": year},
    )  # fmt: skip


@router.post("/console/conversations/{conversation_id}/take-over")
async def take_over(
    request: Request,
    conversation_id: str,
    staff: SignedIn = Depends(agents),
    live: LiveConsole = Depends(live_console),
) -> Response:
    conversation_id = _checked(conversation_id)
    try:
        note = await live.take_over(conversation_id, _agent(staff))
    except ConsoleError as exc:
        return await _conversation(request, live, conversation_id, error=exc.message, status=exc.status)
    if note:
        return await _conversation(request, live, conversation_id, error=note)
    return _back(conversation_id, "taken")


@router.post("/console/conversations/{conversation_id}/hand-back")
async def hand_back(
    request: Request,
    conversation_id: str,
    staff: SignedIn = Depends(agents),
    live: LiveConsole = Depends(live_console),
) -> Response:
    conversation_id = _checked(conversation_id)
    try:
        await live.hand_back(conversation_id, _agent(staff))
    except ConsoleError as exc:
        return await _conversation(request, live, conversation_id, error=exc.message, status=exc.status)
    return _back(conversation_id, "back")


@router.post("/console/conversations/{conversation_id}/reply")
async def reply(
    request: Request,
    conversation_id: str,
    text: str = Form(""),
    staff: SignedIn = Depends(agents),
    live: LiveConsole = Depends(live_console),
) -> Response:
    conversation_id = _checked(conversation_id)
    return await _staff_send(
        request, live, conversation_id, live.send_text(conversation_id, _agent(staff), text), typed=text
    )


@router.post("/console/conversations/{conversation_id}/parts")
async def send_parts(
    request: Request,
    conversation_id: str,
    staff: SignedIn = Depends(agents),
    live: LiveConsole = Depends(live_console),
) -> Response:
    conversation_id = _checked(conversation_id)
    form = await request.form()
    skus = [str(v) for v in form.getlist("sku")]
    sending = live.send_parts(conversation_id, _agent(staff), skus)
    return await _staff_send(request, live, conversation_id, sending)


@router.post("/console/conversations/{conversation_id}/template")
async def send_template(
    request: Request,
    conversation_id: str,
    staff: SignedIn = Depends(agents),
    live: LiveConsole = Depends(live_console),
) -> Response:
    conversation_id = _checked(conversation_id)
    form = await request.form()
    name = str(form.get("template") or "")
    values = [str(v) for v in form.getlist(f"param_{name}")]
    sending = live.send_template(conversation_id, _agent(staff), name, values)
    return await _staff_send(request, live, conversation_id, sending)


async def _staff_send(
    request: Request, live: LiveConsole, conversation_id: str, sending: Awaitable[SendResult], typed: str = ""
) -> Response:
    """Await one staff send; a refusal re-renders the conversation with the reason (and the text typed)."""
    try:
        result = await sending
    except ConsoleError as exc:
        return await _conversation(
            request, live, conversation_id, error=exc.message, typed=typed, status=exc.status
        )
    return await _after_send(request, live, conversation_id, result, typed=typed)


@router.get("/console/conversations/{conversation_id}/media/{media_id}")
async def media(
    conversation_id: str,
    media_id: str,
    staff: SignedIn = Depends(agents_data),
    live: LiveConsole = Depends(live_console),
) -> Response:
    """A customer's photo or voice note, fetched from Meta with the shop's token (never a public URL)."""
    conversation_id = _checked(conversation_id)
    if not _MEDIA_ID.match(media_id):
        return Response("not found", status_code=404)
    try:
        data, mime = await live.media(conversation_id, media_id)
    except ConsoleError as exc:
        return Response(exc.message, status_code=exc.status, media_type="text/plain; charset=utf-8")
    except MediaFetchError:
        return Response("WhatsApp no longer has this file (media is kept by Meta for 30 days).", 404)
    return Response(data, media_type=mime, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/console/conversations/{conversation_id}/stream")
async def live_stream(
    request: Request,
    conversation_id: str,
    staff: SignedIn = Depends(agents_data),
    live: LiveConsole = Depends(live_console),
) -> Response:
    """Server-sent events: every new line of this conversation as rendered HTML, within ~0.3 s."""
    conversation_id = _checked(conversation_id)
    if live.feed is None:
        return Response(live.feed_error or "live updates are off", status_code=503)
    after = _int(request.headers.get("Last-Event-ID") or request.query_params.get("after"))
    subscription = live.feed.subscribe(conversation_id)
    await subscription.replay(after)
    return StreamingResponse(
        _events(request, live, subscription),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request, live: LiveConsole, subscription: Any) -> AsyncIterator[str]:
    state = console_state(request)
    template = state.templates.get_template("console/conversations/_entry.html")
    lang = getattr(request.state.staff, "lang", "en")

    def t(key: str, **values: Any) -> str:
        return state.text(key, lang, **values)

    yield "retry: 2000\n\n"
    async for event in stream(subscription, keepalive=15.0):
        if await request.is_disconnected():
            return
        if event is None:
            yield ": keep-alive\n\n"
            continue
        entry = entry_from_event(event)
        payload: dict[str, Any] = {"type": event.type_name, "customer": event.type_name == "user"}
        if entry is not None:
            payload["html"] = template.render(e=entry, t=t, conversation_id=subscription.sender_id)
        if event.type_name == "user" and event.timestamp:
            payload["window_closes_at"] = event.timestamp + 24 * 3600
        if event.type_name in ("pause", "resume", "restart", "session_started"):
            payload["reload"] = True  # who answers changed: the page shows the right controls
        yield f"id: {event.row_id}\nevent: line\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


# --------------------------------------------------------------------------- rendering
async def _conversation(
    request: Request,
    live: LiveConsole,
    conversation_id: str,
    *,
    error: str | None = None,
    typed: str = "",
    notice_key: str | None = None,
    hits: Any = None,
    search_error: str | None = None,
    search: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    try:
        view = await live.view(conversation_id)
    except ConsoleError as exc:
        if exc.status == 404:
            return render(
                request, "console/error.html", {"status": 404, "reason": "not_found", "kept": {}}, 404
            )
        context = {"status": exc.status, "reason": "database", "kept": {"text": typed} if typed else {}}
        return render(request, "console/error.html", context, exc.status)
    slots = view.slots
    search = search or {}
    for key in ("make", "model", "year"):
        if not search.get(key) and slots.get(key):
            search[key] = str(slots[key])
    now = datetime.now(timezone.utc)
    window = view.window
    t = _t(request)
    context = {
        "view": view,
        "entries": readable_entries(view),
        "error": error,
        "typed": typed,
        "notice_key": notice_key,
        "hits": hits,
        "search": search,
        "search_error": search_error,
        "templates": [tpl for tpl in live.templates if not tpl.staff_only],
        "window_left": _duration(window.remaining, t) if window.is_open else "",
        "window_ago": _duration(window.closed_for, t) if window.closed_for is not None else "",
        "window_closes_at": window.closes_at.timestamp() if window.closes_at else 0,
        "waiting_time": _duration(now - view.customer.since, t)
        if view.customer and view.customer.since
        else "",
        "feed_error": live.feed_error,
        "stream_url": f"/console/conversations/{quote(conversation_id)}/stream",
    }
    return render(request, "console/conversations/conversation.html", context, status_code=status)


async def _after_send(
    request: Request, live: LiveConsole, conversation_id: str, result: SendResult, typed: str = ""
) -> Response:
    if result.sent and result.recorded:
        return _back(conversation_id, "sent")
    # Refused by Meta, or sent while Rasa was down: the page says so; a refused text stays in the box.
    return await _conversation(
        request, live, conversation_id, error=result.message, typed="" if result.sent else typed,
        status=200 if result.sent else 502,
    )  # fmt: skip


def _back(conversation_id: str, done: str) -> Response:
    return RedirectResponse(f"/console/conversations/{quote(conversation_id)}?done={done}", 303)


def _checked(conversation_id: str) -> str:
    from fastapi import HTTPException

    if not _CONVERSATION_ID.match(conversation_id or ""):
        raise HTTPException(404)
    return conversation_id


def _agent(staff: SignedIn) -> str:
    return staff.display_name or staff.username


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _duration(delta: timedelta | None, t: Any) -> str:
    """``3 min``, ``2 h 05 min``, ``1 d 4 h`` (in the staff member's language): how long, at a glance."""
    if delta is None:
        return ""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return t("duration.min", m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return t("duration.h", h=hours, m=f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return t("duration.d", d=days, h=hours)


def _t(request: Request) -> Any:
    state = console_state(request)
    lang = page_lang(request)
    return lambda key, **values: state.text(key, lang, **values)


# --------------------------------------------------------------------------- the console-wide event
def new_handoffs(session: Session, staff: SignedIn, cursor: dict) -> list[ServerEvent]:
    """A ``handoff`` event on every console page when a customer starts waiting for a person."""
    if "since" not in cursor:
        cursor["since"] = datetime.now(timezone.utc)
        return []
    since = cursor["since"]
    rows = session.execute(
        select(Customer.channel_user_id, Customer.name, Customer.handoff_since)
        .where(Customer.handoff_active.is_(True), Customer.handoff_since > since)
        .order_by(Customer.handoff_since)
    ).all()
    events = []
    for channel_user_id, name, handoff_since in rows:
        cursor["since"] = max(cursor["since"], _aware(handoff_since))
        events.append(
            ServerEvent(
                "handoff",
                {
                    "id": channel_user_id,
                    "customer": name or "",
                    "url": f"/console/conversations/{channel_user_id}",
                },
            )
        )
    return events


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
