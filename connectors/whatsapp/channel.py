"""Rasa ``InputChannel`` for the WhatsApp Cloud API (``/webhooks/whatsapp/webhook``).

POST flow: signature over the raw body → parse every entry/change/message →
store each message in the transactional inbox (the wamid's primary key is the dedup
claim) → queue the turn behind the sender's earlier turns → answer 200 at once. A turn
holds a lease on its message until it is done; a sweeper re-drives messages whose
holder died (connectors/whatsapp/inbox.py). Statuses and read receipts run in
background tasks whose exceptions are logged.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from connectors.whatsapp.aliases import PayloadAliases
from connectors.whatsapp.dispatch import Ignore, PoliteReply, ToMediaPipeline, ToRasa, decide, rasa_metadata
from connectors.whatsapp.errors import MediaTooLargeError
from connectors.whatsapp.failures import FailedSend, FailureStore
from connectors.whatsapp.graph_client import GraphClient
from connectors.whatsapp.inbox import DONE, FAILED, WAIT, Inbox, InboxItem, InboxUnavailable
from connectors.whatsapp.media import MediaFetcher, MediaHandler, load_media_handler, media_outcome
from connectors.whatsapp.ordering import SenderQueues
from connectors.whatsapp.output import MessageSender, WhatsAppOutput
from connectors.whatsapp.payloads import (
    InboundMessage,
    WebhookBatch,
    WebhookBodyError,
    load_body,
    parse_webhook,
)
from connectors.whatsapp.sender import build_outbound
from connectors.whatsapp.settings import WhatsAppSettings
from connectors.whatsapp.signature import SIGNATURE_HEADER, is_valid_signature
from connectors.whatsapp.turns import REDRIVE_KEY, TurnSender, install_redrive_guard
from ops import logging as ops_logging
from ops import metrics
from shopkernel.copy import say
from shopkernel.language import LanguageMemory
from shopkernel.masking import mask_phone

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class Runtime:
    """Everything built once per server (inside its event loop) and closed on shutdown."""

    engine: Engine
    inbox: Inbox
    failures: FailureStore
    aliases: PayloadAliases
    client: GraphClient
    sender: MessageSender
    media_handler: MediaHandler
    queues: SenderQueues = field(default_factory=SenderQueues)
    languages: LanguageMemory = field(default_factory=LanguageMemory)  # per customer, this process
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    queued: set[str] = field(default_factory=set)  # message ids waiting or running in this process

    def spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> None:
        """Run in the background, keep a reference, log any exception."""
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(partial(_task_done, self.tasks, what))

    async def join(self, timeout: float | None = None) -> None:
        """Wait for queued turns and background tasks (tests, benchmarks, shutdown)."""
        await self.queues.join(timeout)
        while self.tasks:
            await asyncio.wait_for(asyncio.gather(*list(self.tasks), return_exceptions=True), timeout)

    async def close(self) -> None:
        await self.client.aclose()
        self.engine.dispose()


def _task_done(tasks: set[asyncio.Task[Any]], what: str, task: asyncio.Task[Any]) -> None:
    tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("WhatsApp background task failed: %s", what, exc_info=task.exception())


class WhatsAppInput(InputChannel):
    """Webhook for Meta; replies go out through :class:`WhatsAppOutput`."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        install_redrive_guard()  # inside a Rasa server: re-driven turns are checked under its lock
        return cls(WhatsAppSettings.from_env().with_credentials(credentials))

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None
        self._app: Any = None  # the Sanic app: its ctx.agent reads trackers for re-driven turns
        self._sweeper: asyncio.Task[None] | None = None
        self._missing = settings.missing()
        if self._missing:
            logger.error(
                "WhatsApp channel is NOT configured (missing %s): webhook POSTs get 503 until they are set",
                ", ".join(self._missing),
            )
        if settings.insecure_skip_signature:
            logger.warning(
                "!!! WHATSAPP_INSECURE_SKIP_SIGNATURE is set: webhook signatures are NOT checked. "
                "Anyone can impersonate customers. Use only for local demos. !!!"
            )
        if not settings.verify_token:
            logger.warning("WHATSAPP_VERIFY_TOKEN is not set: Meta's webhook verification will be refused")

    # -- lifecycle -------------------------------------------------------------------

    def ensure_runtime(self) -> Runtime:
        """Build stores and the HTTP client on first use (never at import time)."""
        if self.runtime is None:
            self.runtime = build_runtime(self.settings)
        return self.runtime

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None
        if self.runtime is not None:
            runtime, self.runtime = self.runtime, None
            try:
                await runtime.join(timeout=10)
            except asyncio.TimeoutError:
                logger.warning("Shutting down with WhatsApp turns still running")
            await runtime.close()

    def get_output_channel(self) -> WhatsAppOutput:
        """For proactive sends (e.g. Rasa's trigger_intent endpoint)."""
        return WhatsAppOutput(self.ensure_runtime().sender)

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """Metadata of the first message in the body (turns get their own per message)."""
        try:
            batch = parse_webhook(load_body(request.body or b""))
        except WebhookBodyError:
            return None
        return rasa_metadata(batch.messages[0]) if batch.messages else None

    # -- HTTP ------------------------------------------------------------------------

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        bp = Blueprint(f"whatsapp_webhook_{id(self)}", __name__)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def verify(request: Request) -> HTTPResponse:
            return self.verify(request)

        async def receive(request: Request) -> HTTPResponse:
            try:
                return await self.receive(request, on_new_message)
            except Exception:  # noqa: BLE001 - Meta must never see a 500; 503 makes it retry
                logger.exception("Unexpected error handling a WhatsApp webhook")
                return response.text("temporarily unavailable", status=503)

        async def start(app: Any, _loop: Any) -> None:
            self._app = app
            await asyncio.to_thread(self.ensure_runtime)

        async def sweep(_app: Any, _loop: Any) -> None:
            self._sweeper = asyncio.create_task(self._sweep_forever(on_new_message))

        async def stop(_app: Any, _loop: Any) -> None:
            await self.close()

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(verify, "/webhook", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        if not self._missing:
            bp.listener("before_server_start")(start)
            bp.listener("after_server_start")(sweep)
        bp.listener("before_server_stop")(stop)
        return bp

    def verify(self, request: Request) -> HTTPResponse:
        """Meta's subscription check: echo ``hub.challenge`` as plain text, else 403."""
        mode = request.args.get("hub.mode")
        token = request.args.get("hub.verify_token") or ""
        challenge = request.args.get("hub.challenge")
        expected = self.settings.verify_token
        if (
            mode == "subscribe"
            and challenge
            and expected
            and hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8"))
        ):
            logger.info("WhatsApp webhook verified by Meta")
            return response.text(challenge)
        logger.warning("Refused a WhatsApp webhook verification (mode=%r)", mode)
        return response.text("Forbidden", status=403)

    async def receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        if self._missing:
            return response.text(
                f"WhatsApp channel not configured: set {', '.join(self._missing)}", status=503
            )
        raw = request.body or b""
        if not self.settings.insecure_skip_signature and not is_valid_signature(
            raw, request.headers.get(SIGNATURE_HEADER), self.settings.app_secret
        ):
            logger.warning("Rejected a WhatsApp webhook with a missing or wrong %s header", SIGNATURE_HEADER)
            return response.text("invalid signature", status=403)
        try:
            batch = parse_webhook(load_body(raw))
        except WebhookBodyError as exc:
            logger.warning("Acknowledged an unreadable signed WhatsApp webhook: %s", exc)
            return response.text("EVENT_RECEIVED")
        runtime = self.ensure_runtime()
        if batch.skipped:
            logger.warning("Skipped %d malformed item(s) in a WhatsApp webhook", batch.skipped)
        if batch.statuses or batch.errors:
            runtime.spawn(self._record_statuses(runtime, batch), "record statuses")
        if not await self._schedule(runtime, batch.messages, on_new_message):
            return response.text("inbox unavailable; deliver again", status=503)
        return response.text("EVENT_RECEIVED")

    async def _schedule(
        self, runtime: Runtime, messages: list[InboundMessage], on_new_message: OnNewMessage
    ) -> bool:
        """Store and queue each message; False if some could not be stored (Meta will redeliver)."""
        all_stored = True
        for message in messages:
            try:
                first_time = await runtime.inbox.accept(message)
            except InboxUnavailable:
                logger.exception("Could not store message %s in the inbox", message.message_id)
                all_stored = False
                continue
            if not first_time:
                logger.info("Ignored redelivered WhatsApp message %s", message.message_id)
                metrics.duplicate()
                continue
            metrics.message_in(message.type)
            self._queue(runtime, message.message_id, message.sender_id, on_new_message)
        return all_stored

    def _queue(self, runtime: Runtime, message_id: str, sender_id: str, on_new_message: OnNewMessage) -> None:
        if message_id in runtime.queued:
            return
        runtime.queued.add(message_id)
        runtime.queues.submit(sender_id, partial(self._drive, runtime, message_id, on_new_message))

    # -- the inbox: leases, re-drives ---------------------------------------------------

    async def _sweep_forever(self, on_new_message: OnNewMessage) -> None:
        """Re-drive messages whose turn never finished (its process died), on every instance."""
        interval = self.settings.inbox_sweep_seconds
        while True:
            await asyncio.sleep(interval)
            runtime = self.runtime
            if runtime is None or not self._agent_ready():
                continue
            try:
                due = await runtime.inbox.due(pending_grace=self.settings.inbox_lease_seconds)
            except Exception:  # noqa: BLE001 - the database may be away; try again next round
                logger.warning("Inbox sweep failed", exc_info=True)
                continue
            for item in due:
                if item.message_id not in runtime.queued:
                    logger.info(
                        "Re-driving WhatsApp message %s from %s", item.message_id, mask_phone(item.sender_id)
                    )
                    metrics.redriven()
                    self._queue(runtime, item.message_id, item.sender_id, on_new_message)

    def _agent(self) -> Any:
        return getattr(getattr(self._app, "ctx", None), "agent", None)

    def _agent_ready(self) -> bool:
        """Re-drive only once Rasa has its model (a channel hosted without Rasa: always)."""
        ctx = getattr(self._app, "ctx", None)
        if ctx is None or not hasattr(ctx, "agent"):
            return True
        return ctx.agent is not None and ctx.agent.is_ready()

    async def _drive(self, runtime: Runtime, message_id: str, on_new_message: OnNewMessage) -> None:
        """Take the lease, run the turn once, record the outcome (or give it back for a retry)."""
        try:
            item = await runtime.inbox.take(message_id)
        except Exception:  # noqa: BLE001 - database away: the sweeper finds the message later
            logger.warning("Could not take message %s from the inbox", message_id, exc_info=True)
            item = None
        if item is None:
            runtime.queued.discard(message_id)
            return
        if item == WAIT:  # stays pending: queued again when the earlier one finishes, or by the sweep
            logger.info("Message %s waits for an earlier message of the same customer", message_id)
            runtime.queued.discard(message_id)
            return
        keeper = asyncio.create_task(self._keep_lease(runtime, message_id))
        try:
            outcome = await self._attempt(runtime, item, on_new_message)
        except Exception as exc:  # noqa: BLE001 - any failure: another attempt later
            retry_in = min(2.0**item.attempts, 60.0)
            logger.exception(
                "Turn for message %s failed (attempt %d); retry in %.0f s",
                message_id,
                item.attempts,
                retry_in,
            )
            metrics.turn_error()
            error = f"{type(exc).__name__}: {exc}"[:500]
            await self._settle(partial(runtime.inbox.give_back, message_id, error, retry_in))
            return
        finally:
            keeper.cancel()
            runtime.queued.discard(message_id)
        await self._settle(partial(runtime.inbox.finish, message_id, outcome))
        await self._queue_next(runtime, item.message.sender_id, on_new_message)

    async def _queue_next(self, runtime: Runtime, sender_id: str, on_new_message: OnNewMessage) -> None:
        """Run the customer's next waiting message now (it may have waited for this one)."""
        try:
            waiting = await runtime.inbox.next_pending(sender_id)
        except Exception:  # noqa: BLE001 - database away: the sweep finds it later
            logger.warning("Could not look for a waiting message", exc_info=True)
            return
        if waiting is not None:
            self._queue(runtime, waiting, sender_id, on_new_message)

    async def _attempt(self, runtime: Runtime, item: InboxItem, on_new_message: OnNewMessage) -> str:
        message = item.message
        if item.attempts > 1 and await self._answered_before(message):
            logger.info("Message %s was answered before its process died; not run again", message.message_id)
            return DONE
        if item.attempts > self.settings.inbox_max_attempts:
            logger.error("Giving up on message %s after %d attempts", message.message_id, item.attempts - 1)
            await _say(
                WhatsAppOutput(runtime.sender, runtime.languages),
                message.sender_id,
                "connector.something_went_wrong",
                runtime.languages.get(message.sender_id),
            )
            return FAILED
        already = await runtime.inbox.sent(message.message_id) if item.attempts > 1 else {}
        sender = TurnSender(runtime.sender, runtime.inbox, message.message_id, already)
        await self._handle(runtime, message, on_new_message, sender, attempt=item.attempts)
        return DONE

    async def _answered_before(self, message: InboundMessage) -> bool:
        """Rasa saved a tracker holding this message: the turn completed before the crash."""
        agent = self._agent()
        if agent is None:
            return False
        tracker = await agent.tracker_store.retrieve_full_tracker(message.sender_id)
        if tracker is None:
            return False
        return any(
            getattr(event, "message_id", None) == message.message_id
            for event in tracker.events
            if type(event).__name__ == "UserUttered"
        )

    async def _keep_lease(self, runtime: Runtime, message_id: str) -> None:
        while True:
            await asyncio.sleep(self.settings.inbox_lease_seconds / 3)
            if not await runtime.inbox.renew(message_id):
                logger.warning("Lost the lease on message %s", message_id)

    @staticmethod
    async def _settle(update: Callable[[], Awaitable[None]], patience_s: float = 60.0) -> None:
        """Record an outcome, waiting out a short database outage; if it never lands the
        message is re-driven later and the tracker check stops a second turn."""
        deadline = time.monotonic() + patience_s
        while True:
            try:
                await update()
                return
            except InboxUnavailable:
                if time.monotonic() > deadline:
                    logger.error("Could not record a turn's outcome; it will be re-driven and checked")
                    return
                await asyncio.sleep(1.0)

    # -- background work ---------------------------------------------------------------

    async def _handle(
        self,
        runtime: Runtime,
        message: InboundMessage,
        on_new_message: OnNewMessage,
        sender: TurnSender,
        attempt: int = 1,
    ) -> None:
        ops_logging.bind_conversation(message.sender_id)  # every log line of this turn carries it
        decision = decide(message)
        logger.info(
            "WhatsApp %s message %s from %s -> %s",
            message.type,
            message.message_id,
            mask_phone(message.sender_id),
            type(decision).__name__,
        )
        if isinstance(decision, Ignore):
            if message.type == "system":
                logger.info(
                    "WhatsApp system notice for %s: %.200s",
                    mask_phone(message.sender_id),
                    message.body.get("system"),
                )
            return
        if self.settings.mark_read and attempt == 1:
            runtime.spawn(runtime.sender.mark_read(message.message_id), "mark as read")
        output = WhatsAppOutput(sender, runtime.languages)  # type: ignore[arg-type] - numbered sends
        if isinstance(decision, ToRasa) and message.type == "text":
            runtime.languages.note(message.sender_id, decision.text)
        language = runtime.languages.get(message.sender_id)  # None: not known yet, both are sent
        if isinstance(decision, PoliteReply):
            await _say(output, message.sender_id, decision.copy_key, language)
            return
        if isinstance(decision, ToMediaPipeline):
            runtime.languages.note(message.sender_id, decision.caption)
            language = runtime.languages.get(message.sender_id)
            text, reply = await self._media_outcome(runtime, message, decision, language)
            if reply:
                await output.send_text_message(message.sender_id, reply, connector_copy=True)
            text = text or decision.caption
            if not text:
                if not reply:
                    await _say(output, message.sender_id, "connector.media_not_understood", language)
                return
            decision = ToRasa(text, decision.metadata)
        await self._run_turn(runtime, message, decision, output, on_new_message, attempt)

    async def _run_turn(
        self,
        runtime: Runtime,
        message: InboundMessage,
        decision: ToRasa,
        output: WhatsAppOutput,
        on_new_message: OnNewMessage,
        attempt: int = 1,
    ) -> None:
        text = await runtime.aliases.resolve(decision.text) or decision.text
        user_message = UserMessage(
            text=text,
            output_channel=output,
            sender_id=message.sender_id,
            input_channel=self.name(),
            message_id=message.message_id,
            metadata={**rasa_metadata(message), **decision.metadata, REDRIVE_KEY: attempt},
        )
        started = time.perf_counter()
        await on_new_message(user_message)  # an exception gives the message back for another attempt
        metrics.observe_turn(time.perf_counter() - started)

    async def _media_outcome(
        self, runtime: Runtime, message: InboundMessage, decision: ToMediaPipeline, language: str | None
    ) -> tuple[str | None, str | None]:
        """(text for Rasa, reply for the customer) from the media pipeline; never raises."""
        handle = runtime.media_handler.handle
        extra = {"language": language} if _takes_language(handle) else {}
        try:
            result = await handle(
                decision.kind, decision.media_id, decision.mime_type, message.sender_id, **extra
            )
        except MediaTooLargeError:
            return None, say("connector.media_too_large", language)
        except Exception:  # noqa: BLE001 - a broken pipeline must not lose the message
            logger.exception("Media handler failed on %s %s", decision.kind, decision.media_id)
            return None, None
        return media_outcome(result)

    async def _record_statuses(self, runtime: Runtime, batch: WebhookBatch) -> None:
        for status in batch.statuses:
            if status.status != "failed":
                logger.debug("Message %s is %s", status.message_id, status.status)
                continue
            errors = status.errors or ()
            logger.warning(
                "Message %s to %s failed: %s",
                status.message_id,
                mask_phone(status.recipient_id),
                ", ".join(f"{e.code} {e.title}" for e in errors),
            )
            for error in errors or (None,):
                stored = await runtime.failures.record(
                    FailedSend(
                        source="status",
                        recipient=status.recipient_id,
                        wamid=status.message_id,
                        error_code=error.code if error else None,
                        error_title=(error.title or error.message)
                        if error
                        else "failed without error details",
                        error_details=error.details if error else "",
                    )
                )
                if stored:  # Meta redelivers receipts: count each failure once
                    metrics.send_failure(error.code if error else None, "status")
        for error in batch.errors:
            logger.error("WhatsApp reported an error: %s %s %s", error.code, error.title, error.details)


def build_runtime(settings: WhatsAppSettings) -> Runtime:
    """The outbound path exactly as the web service builds it, plus the inbox and the media hook."""
    out = build_outbound(settings)
    media_handler = load_media_handler(settings.media_handler, MediaFetcher(out.client, settings))
    return Runtime(
        engine=out.engine,
        inbox=Inbox(out.engine, lease_seconds=settings.inbox_lease_seconds),
        failures=out.failures,
        aliases=out.aliases,
        client=out.client,
        sender=out.sender,
        media_handler=media_handler,
    )


async def _say(output: WhatsAppOutput, recipient_id: str, copy_key: str, language: str | None) -> None:
    """Send one entry of config/customer_copy.yml (both languages while the customer's is unknown)."""
    await output.send_text_message(recipient_id, say(copy_key, language), connector_copy=True)


def _takes_language(handle: Callable[..., Any]) -> bool:
    """Media handlers written before the copy file took no ``language``; they still work."""
    try:
        return "language" in inspect.signature(handle).parameters
    except (TypeError, ValueError):
        return False
