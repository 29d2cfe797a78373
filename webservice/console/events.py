"""One server-sent-events stream per open console tab: ``GET /console/events``.

Leads and conversations are written by other processes (the action server, Rasa), so the
stream polls cheap "anything newer than my cursor?" queries once a second and pushes what it
finds. Other console features add their own kinds of event with :meth:`EventFeed.add_source`;
the page's script (``static/console.js``) turns ``lead`` events into a sound, a browser
notification and a badge, and re-dispatches every event on ``document`` as ``console:<name>``
so a page script can listen (``document.addEventListener("console:handoff", ...)``).

A source is ``poll(session, staff, cursor) -> list[ServerEvent]``. ``cursor`` is a dict private to
one stream: on the first call the source records where "now" is and returns nothing, later calls
return what is newer and move the cursor.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accounts.staff import SignedIn, resolve_session
from catalog.lead_workflow import latest_lead_id, leads_after
from webservice.console.rendering import ConsoleRoute
from webservice.console.security import SESSION_COOKIE, require_staff
from webservice.console.state import ConsoleState, console_state

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
RECHECK_SESSION_SECONDS = 30.0


@dataclass(frozen=True)
class ServerEvent:
    event: str
    data: dict

    def encode(self) -> str:
        return f"event: {self.event}\ndata: {json.dumps(self.data, ensure_ascii=False)}\n\n"


Poll = Callable[[Session, SignedIn, dict], list[ServerEvent]]


@dataclass
class Source:
    name: str
    poll: Poll
    roles: tuple[str, ...]


@dataclass
class EventFeed:
    sources: list[Source] = field(default_factory=list)

    def add_source(self, name: str, poll: Poll, roles: tuple[str, ...] = ("agent",)) -> None:
        """Push this source's events to staff with one of ``roles`` (admins always)."""
        self.sources.append(Source(name, poll, roles))

    def poll(self, state: ConsoleState, staff: SignedIn, cursors: dict[str, dict]) -> list[ServerEvent]:
        found: list[ServerEvent] = []
        with state.db() as session:
            for source in self.sources:
                if not staff.has_role(*source.roles):
                    continue
                cursor = cursors.setdefault(source.name, {})
                try:
                    found += source.poll(session, staff, cursor)
                except SQLAlchemyError:
                    raise
                except Exception:  # noqa: BLE001 - one broken source must not end the stream
                    log.exception("event source %s failed", source.name)
        return found


def new_leads(session: Session, staff: SignedIn, cursor: dict) -> list[ServerEvent]:
    """A ``lead`` event for every lead created since the stream opened."""
    if "after" not in cursor:
        cursor["after"] = latest_lead_id(session)
        return []
    events = []
    for lead in leads_after(session, cursor["after"]):
        cursor["after"] = lead.id
        vehicle = " ".join(str(v) for v in (lead.make, lead.model, lead.year) if v)
        events.append(
            ServerEvent(
                "lead",
                {
                    "id": lead.id,
                    "kind": lead.kind,
                    "customer": lead.customer_name or "",
                    "vehicle": vehicle,
                    "part": lead.part_query or lead.sku or "",
                    "url": f"/console/leads/{lead.id}",
                },
            )
        )
    return events


router = APIRouter(route_class=ConsoleRoute)


@router.get("/console/events")
async def event_stream(
    request: Request, staff: SignedIn = Depends(require_staff("agent", "designer", data=True))
) -> StreamingResponse:
    state = console_state(request)
    return StreamingResponse(
        _stream(request, state, staff),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _stream(request: Request, state: ConsoleState, staff: SignedIn) -> AsyncIterator[str]:
    feed: EventFeed = state.feed  # type: ignore[assignment]
    cursors: dict[str, dict] = {}
    token = request.cookies.get(SESSION_COOKIE)
    yield "retry: 3000\n\n"
    last_beat = last_check = time.monotonic()
    while not await request.is_disconnected():
        try:
            events = await run_in_threadpool(feed.poll, state, staff, cursors)
        except SQLAlchemyError as exc:
            log.warning("event stream: database unavailable (%s)", type(exc).__name__)
            events = [ServerEvent("unavailable", {"reason": "database"})]
        for event in events:
            yield event.encode()
        now = time.monotonic()
        if now - last_check > RECHECK_SESSION_SECONDS:
            last_check = now
            if not await run_in_threadpool(_still_signed_in, state, token):
                yield ServerEvent("signed_out", {}).encode()
                return
        if now - last_beat > HEARTBEAT_SECONDS:
            last_beat = now
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)


def _still_signed_in(state: ConsoleState, token: str | None) -> bool:
    try:
        with state.db() as session:
            return resolve_session(session, token) is not None
    except SQLAlchemyError:
        return True  # an outage is not a sign-out; the next check decides
