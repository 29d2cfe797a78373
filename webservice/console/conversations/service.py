"""What staff do in a live conversation: read it, take over, reply, send parts or a template, hand back.

The order of a send is what keeps everything the agent typed: (1) journal the message in
``staff_messages``, (2) send it through the bot's own outbound WhatsApp path, (3) record Meta's
answer, (4) write it into the Rasa conversation as a ``bot`` event with the agent's name. A send
Meta refuses stays in the journal with Meta's code and reason; one sent while Rasa is down is
written into the conversation by :meth:`LiveConsole.record_pending` once Rasa answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from catalog.handoff import (
    DuplicateStaffMessage,
    WaitingCustomer,
    claim_recording,
    customer_state,
    finish_staff_message,
    hand_back,
    mark_recorded,
    staff_messages,
    start_staff_message,
    take_over,
    unrecorded_staff_messages,
    waiting_customers,
)
from catalog.lead_workflow import mark_contacted
from catalog.leads import LeadError
from catalog.schema import Part, StaffMessage
from catalog.search import PartHit, PartQuery, SearchError, search_parts
from catalog.vocabulary.cache import VocabularyCache
from connectors.whatsapp import outbound
from connectors.whatsapp.errors import RetryPolicy
from connectors.whatsapp.sender import OutboundWhatsApp, SendOutcome, build_outbound
from connectors.whatsapp.window import ServiceWindow, service_window
from conversation.items import ShownItem, choose_payload
from shopkernel.db import make_engine, make_session_factory, session_scope
from shopkernel.masking import mask_phone as mask_id
from webservice.console.conversations.feed import LiveFeed
from webservice.console.conversations.templates_config import ApprovedTemplate, load_templates
from webservice.console.conversations.tracker_events import (
    TrackerEvent,
    TrackerEventReader,
    TrackerStoreUnsupported,
    tracker_engine,
)
from webservice.live_settings import LiveSettings
from webservice.rasa_client import RasaClient, RasaError

log = logging.getLogger(__name__)

MAX_REPLY = 4000
MAX_PARTS = 10
RECORD_RETRY_SECONDS = 10.0


class ConsoleError(Exception):
    """An action staff asked for cannot be done; ``message`` says why and what to do instead."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SendResult:
    """What the agent sees after pressing Send."""

    sent: bool
    message: str
    journal_id: int | None = None
    error_code: int | None = None
    recorded: bool = False


@dataclass
class ConversationView:
    conversation_id: str
    customer: WaitingCustomer | None
    events: list[TrackerEvent]
    last_row_id: int
    window: ServiceWindow
    paused: bool
    journal: list[StaffMessage] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    rasa_error: str | None = None

    @property
    def taken_by(self) -> str | None:
        return self.customer.agent if self.customer else None

    @property
    def masked_id(self) -> str:
        return mask_id(self.conversation_id)


class LiveConsole:
    """One per web-service process: Rasa client, outbound path, tracker feed, catalog sessions."""

    def __init__(self, settings: LiveSettings, database_url: str, tracker_db_url: str | None) -> None:
        self.settings = settings
        self.database_url = database_url
        self.tracker_db_url = tracker_db_url or "memory"
        self.templates: list[ApprovedTemplate] = load_templates(settings.templates_path)
        self.rasa: RasaClient | None = None
        self.outbound: OutboundWhatsApp | None = None
        self.reader: TrackerEventReader | None = None
        self.feed: LiveFeed | None = None
        self.feed_error: str | None = None
        self._engine = None
        self._sessions: sessionmaker | None = None
        self._vocabulary: VocabularyCache | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        self._start_lock: asyncio.Lock | None = None

    # -- lifecycle -----------------------------------------------------------------------

    async def ensure_started(self) -> None:
        """Start once, inside the running loop (at app start-up, or on first use)."""
        if self._started:
            return
        self._start_lock = self._start_lock or asyncio.Lock()
        async with self._start_lock:
            if not self._started:
                await self.start()
                self._started = True

    async def start(self) -> None:
        """Connect everything inside the running loop; a missing tracker store only turns live updates off."""
        self._engine = make_engine(self.database_url)
        self._sessions = make_session_factory(self._engine)
        self._vocabulary = VocabularyCache(self._sessions)
        self.rasa = RasaClient(
            self.settings.rasa_url, self.settings.rasa_auth_token, timeout=self.settings.rasa_timeout
        )
        self.outbound = await asyncio.to_thread(build_outbound, self.settings.whatsapp)
        try:
            self.reader = TrackerEventReader(tracker_engine(self.tracker_db_url))
            self.feed = LiveFeed(self.reader, interval=self.settings.poll_interval)
            self.feed.add_listener(self._on_events)
            await self.feed.start()
        except TrackerStoreUnsupported as exc:
            self.feed_error = f"Live updates are off: {exc}. Reload the page to see new messages."
            log.warning("console live feed off: %s", exc)
        self._tasks.append(asyncio.create_task(self._record_pending_loop(), name="console-record-pending"))

    async def stop(self) -> None:
        self._started = False
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.feed is not None:
            await self.feed.stop()
        if self.rasa is not None:
            await self.rasa.aclose()
        if self.outbound is not None:
            await self.outbound.aclose()
        if self.reader is not None:
            self.reader.engine.dispose()
        if self._engine is not None:
            self._engine.dispose()
        self._tasks = []

    # -- reading -------------------------------------------------------------------------

    async def queue(self) -> list[WaitingCustomer]:
        return await self._db(waiting_customers)

    async def view(self, conversation_id: str) -> ConversationView:
        """Transcript, window, handoff state and the bot's slots; Rasa being down is only a note."""
        events = await self._events(conversation_id)
        customer = await self._db(customer_state, conversation_id)
        journal = await self._db(staff_messages, conversation_id)
        if not events and customer is None and not journal:
            raise ConsoleError("There is no conversation with this customer.", status=404)
        last_customer = max((e.timestamp or 0 for e in events if e.type_name == "user"), default=None)
        view = ConversationView(
            conversation_id=conversation_id,
            customer=customer,
            events=events,
            last_row_id=max((e.row_id for e in events), default=0),
            window=service_window(last_customer or None),
            paused=is_paused(events),
            journal=journal,
        )
        try:
            tracker = await self._rasa().tracker(conversation_id)
            view.slots = {
                k: v for k, v in (tracker.get("slots") or {}).items() if v not in (None, "", [], {})
            }
            view.paused = bool(tracker.get("paused", view.paused))
        except RasaError as exc:
            view.rasa_error = str(exc)
        return view

    def window_for(self, events: list[TrackerEvent]) -> ServiceWindow:
        last = max((e.timestamp or 0 for e in events if e.type_name == "user"), default=None)
        return service_window(last or None)

    async def media(self, conversation_id: str, media_id: str) -> tuple[bytes, str]:
        """A photo or voice note this customer sent (only ids found in this conversation)."""
        events = await self._events(conversation_id)
        kinds = {
            str(media.get("id")): str(media.get("kind"))
            for e in events
            if e.type_name == "user"
            for media in [((e.data.get("metadata") or {}).get("media") or {})]
            if isinstance(media, dict) and media.get("id")
        }
        kind = kinds.get(media_id)
        if kind not in ("image", "audio"):
            raise ConsoleError("This conversation has no such photo or voice note.", status=404)
        limits = self.settings.whatsapp
        limit = limits.max_image_bytes if kind == "image" else limits.max_audio_bytes
        downloaded = await self._outbound().client.download_media(media_id, max_bytes=limit)
        mime = downloaded.mime_type.split(";")[0].strip().lower()
        if not mime.startswith(("image/", "audio/")):
            mime = "application/octet-stream"  # never let a file be served as HTML
        return downloaded.data, mime

    async def search(self, text: str, make: str = "", model: str = "", year: str = "") -> list[PartHit]:
        """The bot's own catalog search (catalog.search), for the console's search box."""
        text = (text or "").strip()
        if not text:
            raise ConsoleError("Type a part name or a part number to search.", status=422)
        try:
            query = PartQuery(
                make=make.strip() or None,
                model=model.strip() or None,
                year=int(year) if str(year).strip().isdigit() else None,
                part=text[:200],
                limit=MAX_PARTS,
            )
        except SearchError as exc:
            raise ConsoleError(str(exc), status=422) from exc
        vocabulary = await asyncio.to_thread(self._vocab().get)
        return await self._db(lambda session: search_parts(session, query, vocabulary))

    # -- staff actions ---------------------------------------------------------------------

    async def take_over(self, conversation_id: str, agent: str) -> str | None:
        """Pause the bot in Rasa, then mark the customer as answered by ``agent``.

        When Rasa is down but the conversation is already paused (the customer asked for a person),
        the agent still takes it; the returned note says the pause is not recorded in Rasa.
        """
        try:
            await self._rasa().pause(conversation_id, agent)
        except RasaError as exc:
            if not is_paused(await self._events(conversation_id)):
                message = f"Could not take over: {exc}. Nothing was changed; try again."
                raise ConsoleError(message, 503) from exc
            await self._db(take_over, conversation_id, agent)
            return f"You are answering, but the assistant's server did not record it: {exc}."
        await self._db(take_over, conversation_id, agent)
        return None

    async def hand_back(self, conversation_id: str, agent: str) -> None:
        """Resume the bot in Rasa (slots untouched), then leave the waiting queue."""
        try:
            await self._rasa().resume(conversation_id, agent)
        except RasaError as exc:
            raise ConsoleError(
                f"Could not hand back to the bot: {exc}. The bot stays silent; try again.", 503
            ) from exc
        await self._db(hand_back, conversation_id)

    async def send_text(self, conversation_id: str, agent: str, text: str) -> SendResult:
        text = (text or "").strip()
        if not text:
            raise ConsoleError("The reply is empty.", status=422)
        if len(text) > MAX_REPLY:
            raise ConsoleError(f"The reply is longer than {MAX_REPLY} characters; split it.", status=422)
        await self._require_free_form(conversation_id, agent)
        messages = [outbound.text_message(part) for part in outbound.split_text(text)]
        return await self._send(conversation_id, agent, "text", text, messages, text)

    async def send_parts(self, conversation_id: str, agent: str, skus: list[str]) -> SendResult:
        """One part as a card with an "I want this" button; several as a WhatsApp list."""
        skus = [s.strip() for s in skus if s and s.strip()][:MAX_PARTS]
        if not skus:
            raise ConsoleError("Choose at least one part to send.", status=422)
        await self._require_free_form(conversation_id, agent)
        items = await self._items(skus)
        if not items:
            raise ConsoleError("Those parts are no longer in the catalog; search again.", status=422)
        message, summary = parts_message(items)
        return await self._send(
            conversation_id,
            agent,
            "parts",
            summary,
            [message],
            summary,
            data={"custom": {"whatsapp": message}},
        )

    async def send_template(
        self, conversation_id: str, agent: str, name: str, values: list[str]
    ) -> SendResult:
        """An approved template: the only thing WhatsApp accepts once the 24-hour window is closed."""
        template = next((t for t in self.templates if t.name == name and not t.staff_only), None)
        if template is None:
            raise ConsoleError(f"{name!r} is not one of the approved templates.", status=422)
        values = [" ".join((v or "").split()) for v in values][: len(template.parameters)]
        if len(values) < len(template.parameters) or not all(values):
            raise ConsoleError(
                f"Fill in every field of the template ({', '.join(template.parameters)}).", 422
            )
        await self._require_taken_over(conversation_id, agent)
        preview = template.preview(values)
        message = outbound.template_message(template.name, template.language, values)
        return await self._send(
            conversation_id,
            agent,
            "template",
            preview,
            [message],
            preview,
            data={"custom": {"whatsapp": message}},
        )

    async def _mark_contacted(self, conversation_id: str, agent: str) -> None:
        """The customer heard from a person: their new leads move to contacted (best effort)."""
        try:
            await self._db(mark_contacted, conversation_id, agent)
        except ConsoleError:
            log.warning("Could not mark the leads of %s contacted", mask_id(conversation_id), exc_info=True)

    async def record_pending(self) -> int:
        """Write sent-but-unrecorded staff messages into Rasa (after an outage); returns how many."""
        pending = await self._db(unrecorded_staff_messages)
        done = 0
        for message in pending:
            if not await self._db(claim_recording, message.id):
                continue  # another web-service process is writing it
            data = _message_data(message)
            try:
                await self._rasa().record_staff_message(
                    message.conversation_id,
                    message.body,
                    message.agent,
                    data=data,
                    metadata={"wamid": message.wamid, "journal_id": message.id},
                    timestamp=message.created_at.timestamp() if message.created_at else None,
                )
            except RasaError as exc:
                await self._db(mark_recorded, message.id, str(exc))
                break  # Rasa is still down: the rest waits for the next round
            await self._db(mark_recorded, message.id)
            done += 1
        return done

    # -- staff alerts ----------------------------------------------------------------------

    async def _on_events(self, events: list[TrackerEvent]) -> None:
        if not self.settings.staff_alerts_on:
            return
        for event in events:
            if event.type_name == "action" and event.action_name == "action_handoff":
                await self.alert_staff(event)

    async def alert_staff(self, event: TrackerEvent) -> SendResult | None:
        """WhatsApp template to STAFF_NOTIFY_NUMBER, once per handoff even with several processes."""
        settings = self.settings
        template = next((t for t in self.templates if t.name == settings.staff_notify_template), None)
        language = template.language if template else "en_US"
        customer = await self._db(customer_state, event.sender_id)
        who = (
            f"{customer.name} ({mask_id(event.sender_id)})"
            if customer and customer.name
            else mask_id(event.sender_id)
        )
        message = outbound.template_message(settings.staff_notify_template, language, [who])
        try:
            journal = await self._db(
                start_staff_message,
                event.sender_id,
                "console",
                "notify",
                f"Staff alert: {who} is waiting",
                [message],
                settings.staff_notify_number,
                f"handoff-alert:{event.sender_id}:{event.row_id}",
            )
        except DuplicateStaffMessage:
            return None  # another web-service process sent it
        outcome = await self._outbound().sender.deliver(
            settings.staff_notify_number, message, window_fallback=False
        )
        await self._finish(journal.id, outcome, [message])
        return _result(outcome, journal.id, recorded=False)

    # -- internals -------------------------------------------------------------------------

    async def _send(
        self,
        conversation_id: str,
        agent: str,
        kind: str,
        body: str,
        messages: list[dict[str, Any]],
        rasa_text: str,
        data: dict[str, Any] | None = None,
    ) -> SendResult:
        journal = await self._db(start_staff_message, conversation_id, agent, kind, body, messages)
        sender = self._outbound().sender
        outcome: SendOutcome | None = None
        for message in messages:
            outcome = await sender.deliver(conversation_id, message, window_fallback=False)
            if not outcome.sent:
                break
        assert outcome is not None
        await self._finish(journal.id, outcome, messages)
        if not outcome.sent:
            return _result(outcome, journal.id, recorded=False)
        await self._mark_contacted(conversation_id, agent)
        try:
            await self._rasa().record_staff_message(
                conversation_id,
                rasa_text,
                agent,
                data=data,
                metadata={"wamid": outcome.wamid, "journal_id": journal.id},
            )
        except RasaError as exc:
            await self._db(mark_recorded, journal.id, str(exc))
            return SendResult(
                sent=True,
                message=(
                    "Sent to the customer, but not yet written into the conversation history: "
                    f"{exc}. It is kept and will be added when Rasa answers again."
                ),
                journal_id=journal.id,
            )
        await self._db(mark_recorded, journal.id)
        return SendResult(sent=True, message="Sent.", journal_id=journal.id, recorded=True)

    async def _finish(self, journal_id: int, outcome: SendOutcome, messages: list[dict[str, Any]]) -> None:
        error = outcome.error
        await self._db(
            finish_staff_message,
            journal_id,
            wamid=outcome.wamid,
            error_code=error.code if error else None,
            error_reason=explain(outcome) if error else None,
            payload=messages,
        )

    async def _require_taken_over(self, conversation_id: str, agent: str) -> list[TrackerEvent]:
        events = await self._events(conversation_id)
        customer = await self._db(customer_state, conversation_id)
        if not is_paused(events) or customer is None or not customer.agent:
            raise ConsoleError("Take over the conversation first: press “Take over”, then write.")
        return events

    async def _require_free_form(self, conversation_id: str, agent: str) -> None:
        events = await self._require_taken_over(conversation_id, agent)
        if not self.window_for(events).is_open:
            raise ConsoleError(
                "The 24-hour window is closed: the customer has not written for 24 hours, so WhatsApp "
                "accepts only an approved template. Choose one below.",
                status=409,
            )

    async def _events(self, conversation_id: str) -> list[TrackerEvent]:
        if self.reader is None:
            return await self._events_from_rasa(conversation_id)
        try:
            return await asyncio.to_thread(self.reader.conversation, conversation_id)
        except SQLAlchemyError as exc:
            raise ConsoleError(
                "The conversation store cannot be read right now; try again in a moment.", 503
            ) from exc

    async def _events_from_rasa(self, conversation_id: str) -> list[TrackerEvent]:
        """Without a SQL tracker store: the same events through Rasa's API (no live updates)."""
        try:
            tracker = await self._rasa().tracker(conversation_id)
        except RasaError as exc:
            raise ConsoleError(f"The conversation cannot be read: {exc}", 503) from exc
        return [
            TrackerEvent(n, conversation_id, str(e.get("event")), e.get("timestamp"), e.get("name"), e)
            for n, e in enumerate(tracker.get("events") or [], start=1)
        ]

    async def _items(self, skus: list[str]) -> list[ShownItem]:
        """Today's price and stock of each chosen part, in the order the agent chose them."""

        def lookup(session: Session) -> list[ShownItem]:
            parts = {p.sku: p for p in session.execute(select(Part).where(Part.sku.in_(skus))).scalars()}
            return [_shown(parts[s]) for s in skus if s in parts]

        return await self._db(lookup)

    async def _record_pending_loop(self) -> None:
        while True:
            await asyncio.sleep(RECORD_RETRY_SECONDS)
            try:
                await self.record_pending()
            except Exception:  # noqa: BLE001 - retried next round
                log.exception("could not write pending staff messages into Rasa")

    async def _db(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            assert self._sessions is not None, "LiveConsole.start() was not called"
            with session_scope(self._sessions) as session:
                return fn(session, *args, **kwargs)

        try:
            return await asyncio.to_thread(run)
        except LeadError as exc:
            raise ConsoleError(str(exc), status=422) from exc
        except SQLAlchemyError as exc:
            log.exception("console database error")
            raise ConsoleError(
                "The shop's database is not answering; nothing was sent. Try again.", 503
            ) from exc

    def _rasa(self) -> RasaClient:
        assert self.rasa is not None, "LiveConsole.start() was not called"
        return self.rasa

    def _outbound(self) -> OutboundWhatsApp:
        assert self.outbound is not None, "LiveConsole.start() was not called"
        return self.outbound

    def _vocab(self) -> VocabularyCache:
        assert self._vocabulary is not None, "LiveConsole.start() was not called"
        return self._vocabulary


def is_paused(events: list[TrackerEvent]) -> bool:
    """Whether Rasa is silent for this conversation, from its events (as Rasa's tracker decides)."""
    paused = False
    for event in events:
        if event.type_name == "pause":
            paused = True
        elif event.type_name in ("resume", "restart", "session_started"):
            paused = False
    return paused


def parts_message(items: list[ShownItem]) -> tuple[dict[str, Any], str]:
    """(WhatsApp message, plain summary): a card with one button for one part, else a list."""
    lines = [
        f"{item.name} – {item.brand} – {item.part_number} – AED {item.price_label} – {item.stock_mark}"
        for item in items
    ]
    summary = "\n".join(lines)
    choices = [
        outbound.Choice(
            title=f"{n}. {item.brand}",
            payload=choose_payload(item.sku),
            description=f"AED {item.price_label} · {item.stock_mark} · {item.part_number} · {item.name}",
        )
        for n, item in enumerate(items, start=1)
    ]
    if len(items) == 1:
        card = {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "text", "text": outbound.truncate(items[0].name, outbound.HEADER_MAX)},
                "body": {"text": outbound.truncate(summary, outbound.INTERACTIVE_BODY_MAX)},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": choices[0].payload, "title": "I want this ✅"}}
                    ]
                },
            },
        }
        return card, summary
    [message] = outbound.interactive_messages(
        "Parts for you:\n" + summary[: outbound.INTERACTIVE_BODY_MAX - 20], choices, "View parts"
    )
    return message, summary


def explain(outcome: SendOutcome) -> str:
    """Meta's refusal in words an agent can act on (code, Meta's own message, what to do)."""
    error = outcome.error
    if error is None:
        return ""
    advice = {
        RetryPolicy.WINDOW_CLOSED: "The 24-hour window is closed: send an approved template instead.",
        RetryPolicy.AUTH: "The shop's WhatsApp access token was refused: ask the admin to renew it.",
        RetryPolicy.RETRY: "WhatsApp kept failing after several tries: try again in a few minutes.",
        RetryPolicy.RETRY_PAIR_RATE: "Too many messages to this customer in a short time: wait a minute.",
        RetryPolicy.PERMANENT: "WhatsApp refused this message.",
    }[error.policy]
    code = f"Meta error {error.code}" if error.code not in (None, -1) else "No answer from WhatsApp"
    said = " — ".join(part for part in (error.message, error.details) if part)
    return f"{code}: {said}. {advice}" if said else f"{code}. {advice}"


def _result(outcome: SendOutcome, journal_id: int, recorded: bool) -> SendResult:
    if outcome.sent:
        return SendResult(True, "Sent.", journal_id, recorded=recorded)
    return SendResult(
        False,
        f"Not sent. {explain(outcome)} Your message is kept below.",
        journal_id,
        error_code=outcome.error.code if outcome.error else None,
    )


def _message_data(message: StaffMessage) -> dict[str, Any] | None:
    payload = message.payload if isinstance(message.payload, list) else []
    if message.kind in ("parts", "template") and payload:
        return {"custom": {"whatsapp": payload[0]}}
    return None


def _shown(part: Part) -> ShownItem:
    return ShownItem(
        sku=part.sku,
        part_id=part.id,
        name=part.name,
        brand=part.brand,
        part_number=part.part_number,
        price_aed=f"{Decimal(str(part.price_aed)):.2f}",
        stock=int(part.stock or 0),
        condition=part.condition,
    )
