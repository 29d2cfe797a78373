"""Rasa ``InputChannel`` for the WhatsApp Cloud API (``/webhooks/whatsapp/webhook``).

POST flow: signature over the raw body → parse every entry/change/message →
claim each message id in the shared dedup store → queue the turn behind the
sender's earlier turns → answer 200 at once. Turns, statuses and read receipts
run in background tasks whose exceptions are logged.
"""

from __future__ import annotations

import asyncio
import hmac
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

from connectors.whatsapp import texts
from connectors.whatsapp.aliases import PayloadAliases
from connectors.whatsapp.dedup import DedupStore, DedupStoreError, RedisDedupStore, SqlDedupStore
from connectors.whatsapp.dispatch import Ignore, PoliteReply, ToMediaPipeline, ToRasa, decide, rasa_metadata
from connectors.whatsapp.errors import MediaTooLargeError
from connectors.whatsapp.failures import FailedSend, FailureStore
from connectors.whatsapp.graph_client import GraphClient
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
from connectors.whatsapp.redact import mask_id
from connectors.whatsapp.settings import WhatsAppSettings
from connectors.whatsapp.signature import SIGNATURE_HEADER, is_valid_signature
from connectors.whatsapp.tables import create_tables, make_engine
from ops import logging as ops_logging
from ops import metrics

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class Runtime:
    """Everything built once per server (inside its event loop) and closed on shutdown."""

    engine: Engine
    dedup: DedupStore
    failures: FailureStore
    aliases: PayloadAliases
    client: GraphClient
    sender: MessageSender
    media_handler: MediaHandler
    queues: SenderQueues = field(default_factory=SenderQueues)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

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
        await self.dedup.close()
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
        return cls(WhatsAppSettings.from_env().with_credentials(credentials))

    def __init__(self, settings: WhatsAppSettings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None
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

        async def start(_app: Any, _loop: Any) -> None:
            await asyncio.to_thread(self.ensure_runtime)

        async def stop(_app: Any, _loop: Any) -> None:
            await self.close()

        bp.add_route(health, "/", methods=["GET"])
        bp.add_route(verify, "/webhook", methods=["GET"])
        bp.add_route(receive, "/webhook", methods=["POST"])
        if not self._missing:
            bp.listener("before_server_start")(start)
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
            return response.text("dedup store unavailable; deliver again", status=503)
        return response.text("EVENT_RECEIVED")

    async def _schedule(
        self, runtime: Runtime, messages: list[InboundMessage], on_new_message: OnNewMessage
    ) -> bool:
        """Claim and queue each message; False if some could not be claimed (Meta will redeliver)."""
        all_claimed = True
        for message in messages:
            try:
                first_time = await runtime.dedup.claim(message.message_id)
            except DedupStoreError:
                logger.exception("Could not check message %s for duplicates", message.message_id)
                all_claimed = False
                continue
            if not first_time:
                logger.info("Ignored redelivered WhatsApp message %s", message.message_id)
                metrics.duplicate()
                continue
            metrics.message_in(message.type)
            runtime.queues.submit(message.sender_id, partial(self._handle, runtime, message, on_new_message))
        return all_claimed

    # -- background work ---------------------------------------------------------------

    async def _handle(self, runtime: Runtime, message: InboundMessage, on_new_message: OnNewMessage) -> None:
        ops_logging.bind_conversation(message.sender_id)  # every log line of this turn carries it
        decision = decide(message)
        logger.info(
            "WhatsApp %s message %s from %s -> %s",
            message.type,
            message.message_id,
            mask_id(message.sender_id),
            type(decision).__name__,
        )
        if isinstance(decision, Ignore):
            if message.type == "system":
                logger.info(
                    "WhatsApp system notice for %s: %.200s",
                    mask_id(message.sender_id),
                    message.body.get("system"),
                )
            return
        if self.settings.mark_read:
            runtime.spawn(runtime.sender.mark_read(message.message_id), "mark as read")
        output = WhatsAppOutput(runtime.sender)
        if isinstance(decision, PoliteReply):
            await output.send_text_message(message.sender_id, decision.text)
            return
        if isinstance(decision, ToMediaPipeline):
            text, reply = await self._media_outcome(runtime, message, decision)
            if reply:
                await output.send_text_message(message.sender_id, reply)
            text = text or decision.caption
            if not text:
                if not reply:
                    await output.send_text_message(message.sender_id, texts.MEDIA_NOT_UNDERSTOOD)
                return
            decision = ToRasa(text, decision.metadata)
        await self._run_turn(runtime, message, decision, output, on_new_message)

    async def _run_turn(
        self,
        runtime: Runtime,
        message: InboundMessage,
        decision: ToRasa,
        output: WhatsAppOutput,
        on_new_message: OnNewMessage,
    ) -> None:
        text = await runtime.aliases.resolve(decision.text) or decision.text
        user_message = UserMessage(
            text=text,
            output_channel=output,
            sender_id=message.sender_id,
            input_channel=self.name(),
            message_id=message.message_id,
            metadata={**rasa_metadata(message), **decision.metadata},
        )
        started = time.perf_counter()
        try:
            await on_new_message(user_message)
            metrics.observe_turn(time.perf_counter() - started)
        except Exception:  # noqa: BLE001 - the customer must not be left without an answer
            metrics.turn_error()
            logger.exception(
                "Rasa turn failed for message %s from %s", message.message_id, mask_id(message.sender_id)
            )
            await output.send_text_message(message.sender_id, texts.SOMETHING_WENT_WRONG)

    async def _media_outcome(
        self, runtime: Runtime, message: InboundMessage, decision: ToMediaPipeline
    ) -> tuple[str | None, str | None]:
        """(text for Rasa, reply for the customer) from the media pipeline; never raises."""
        try:
            result = await runtime.media_handler.handle(
                decision.kind, decision.media_id, decision.mime_type, message.sender_id
            )
        except MediaTooLargeError:
            return None, texts.MEDIA_TOO_LARGE
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
                mask_id(status.recipient_id),
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
    engine = make_engine(settings.database_url)
    create_tables(engine)
    dedup: DedupStore
    if settings.redis_url:
        dedup = RedisDedupStore(settings.redis_url, settings.dedup_ttl_seconds)
    else:
        dedup = SqlDedupStore(engine, settings.dedup_ttl_seconds)
    client = GraphClient(settings)
    failures = FailureStore(engine)
    aliases = PayloadAliases(engine)
    sender = MessageSender(client, settings, failures, aliases)
    media_handler = load_media_handler(settings.media_handler, MediaFetcher(client, settings))
    return Runtime(
        engine=engine,
        dedup=dedup,
        failures=failures,
        aliases=aliases,
        client=client,
        sender=sender,
        media_handler=media_handler,
    )
