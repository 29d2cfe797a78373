"""Sends one WhatsApp message to one recipient and records every failure (no Rasa import).

Used by the bot's output channel (:mod:`connectors.whatsapp.output`) and by staff replies from
the web service: one outbound path, with the Graph client's limits and retries.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from connectors.whatsapp import outbound
from connectors.whatsapp.aliases import PayloadAliases
from connectors.whatsapp.errors import GraphApiError, RetryPolicy
from connectors.whatsapp.failures import FailedSend, FailureStore
from connectors.whatsapp.graph_client import GraphClient
from connectors.whatsapp.settings import WhatsAppSettings
from connectors.whatsapp.tables import metadata as connector_tables
from ops import metrics
from shopkernel.db import create_missing_tables, make_engine
from shopkernel.masking import mask_phone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendOutcome:
    """One send: Meta's message id, or the error (already recorded) and any fallback taken."""

    wamid: str | None
    error: GraphApiError | None = None
    fallback: str | None = None

    @property
    def sent(self) -> bool:
        return self.wamid is not None


class MessageSender:
    """Sends one message object to one customer; turns failures into records."""

    def __init__(
        self, client: GraphClient, settings: WhatsAppSettings, failures: FailureStore, aliases: PayloadAliases
    ) -> None:
        self.client = client
        self.settings = settings
        self.failures = failures
        self.aliases = aliases

    async def send(self, recipient_id: str, message: dict[str, Any]) -> str | None:
        """Return Meta's wamid, or None when the message could not be sent (already recorded)."""
        return (await self.deliver(recipient_id, message)).wamid

    async def deliver(
        self, recipient_id: str, message: dict[str, Any], *, window_fallback: bool = True
    ) -> SendOutcome:
        """Send and say what happened; a failure is recorded (and logged) before returning.

        ``window_fallback=False`` skips the automatic template on 131047: a staff member who
        sees the refusal chooses the template themselves.
        """
        payload = outbound.envelope(recipient_id, message)
        try:
            message_id = (await self.client.send_message(payload)).message_id
        except GraphApiError as exc:
            metrics.send_failure(exc.code, "send")
            fallback = await self._handle_failure(recipient_id, payload, exc, window_fallback)
            return SendOutcome(wamid=None, error=exc, fallback=fallback)
        metrics.message_out(str(message.get("type") or "text"))
        return SendOutcome(wamid=message_id)

    async def _handle_failure(
        self, recipient_id: str, payload: dict[str, Any], exc: GraphApiError, window_fallback: bool = True
    ) -> str | None:
        policy = exc.policy
        fallback = None
        if policy is RetryPolicy.WINDOW_CLOSED and window_fallback:
            fallback = await self._send_fallback_template(recipient_id)
        if policy is RetryPolicy.AUTH:
            logger.critical(
                "WhatsApp access token rejected (error %s): rotate WHATSAPP_ACCESS_TOKEN", exc.code
            )
        logger.error(
            "Could not send %s message to %s after %d attempt(s): %s%s",
            payload.get("type"),
            mask_phone(recipient_id),
            exc.attempts,
            exc,
            f" ({fallback})" if fallback else "",
        )
        await self.failures.record(
            FailedSend(
                source="send",
                recipient=recipient_id,
                error_code=exc.code,
                error_title=exc.message,
                error_details=exc.details,
                message_type=str(payload.get("type") or ""),
                payload=payload,
                attempts=exc.attempts,
                fallback=fallback,
            )
        )
        return fallback

    async def _send_fallback_template(self, recipient_id: str) -> str:
        name = self.settings.fallback_template
        if not name:
            return "no fallback template configured (WHATSAPP_FALLBACK_TEMPLATE)"
        template = outbound.template_message(name, self.settings.fallback_template_language)
        try:
            await self.client.send_message(outbound.envelope(recipient_id, template))
        except GraphApiError as exc:
            return f"template {name} failed: code {exc.code}"
        return f"template {name} sent"

    async def fit_ids(self, choices: list[outbound.Choice], limit: int) -> list[outbound.Choice]:
        """Replace payloads longer than ``limit`` with stored aliases."""
        fitted = []
        for choice in choices:
            if len(choice.payload) > limit:
                choice = outbound.Choice(
                    choice.title, await self.aliases.shorten(choice.payload), choice.description
                )
            fitted.append(choice)
        return fitted

    async def mark_read(self, message_id: str) -> None:
        """Best effort: a lost read receipt is not worth a failure record."""
        try:
            await self.client.mark_read(message_id, typing=True)
        except GraphApiError as exc:
            logger.warning("Could not mark %s as read: %s", message_id, exc)


@dataclass
class OutboundWhatsApp:
    """The outbound path with its own resources, for processes other than the Rasa channel.

    The web service builds one per process (:func:`build_outbound`) to send staff replies and
    staff notifications through the same client, limits, retries and failure records as the bot.
    """

    engine: Engine
    client: GraphClient
    failures: FailureStore
    aliases: PayloadAliases
    sender: MessageSender

    async def aclose(self) -> None:
        await self.client.aclose()
        self.engine.dispose()


def build_outbound(settings: WhatsAppSettings) -> OutboundWhatsApp:
    """Engine (tables created if missing), Graph client, failure store, aliases and sender."""
    engine = make_engine(settings.database_url)
    create_missing_tables(connector_tables, engine)
    client = GraphClient(settings)
    failures = FailureStore(engine)
    aliases = PayloadAliases(engine)
    return OutboundWhatsApp(
        engine, client, failures, aliases, MessageSender(client, settings, failures, aliases)
    )
