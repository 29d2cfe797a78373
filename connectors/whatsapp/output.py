"""Rasa ``OutputChannel`` for WhatsApp, and the sender that records every failed send.

Sends never raise into Rasa: a failure is logged (recipient masked), stored in
``whatsapp_failed_sends`` for staff, and for 131047 (24-hour window closed) the
configured template goes out instead.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel

from connectors.whatsapp import outbound
from connectors.whatsapp.aliases import PayloadAliases
from connectors.whatsapp.errors import GraphApiError, RetryPolicy
from connectors.whatsapp.failures import FailedSend, FailureStore
from connectors.whatsapp.graph_client import GraphClient
from connectors.whatsapp.redact import mask_id
from connectors.whatsapp.settings import WhatsAppSettings
from ops import metrics

logger = logging.getLogger(__name__)

MESSAGE_TYPES = frozenset(
    {
        "text",
        "interactive",
        "image",
        "audio",
        "video",
        "document",
        "sticker",
        "location",
        "contacts",
        "template",
        "reaction",
    }
)


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
        payload = outbound.envelope(recipient_id, message)
        try:
            message_id = (await self.client.send_message(payload)).message_id
        except GraphApiError as exc:
            metrics.send_failure(exc.code, "send")
            await self._handle_failure(recipient_id, payload, exc)
            return None
        metrics.message_out(str(message.get("type") or "text"))
        return message_id

    async def _handle_failure(self, recipient_id: str, payload: dict[str, Any], exc: GraphApiError) -> None:
        policy = exc.policy
        fallback = None
        if policy is RetryPolicy.WINDOW_CLOSED:
            fallback = await self._send_fallback_template(recipient_id)
        if policy is RetryPolicy.AUTH:
            logger.critical(
                "WhatsApp access token rejected (error %s): rotate WHATSAPP_ACCESS_TOKEN", exc.code
            )
        logger.error(
            "Could not send %s message to %s after %d attempt(s): %s%s",
            payload.get("type"),
            mask_id(recipient_id),
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


class WhatsAppOutput(OutputChannel):
    """What Rasa calls to answer a customer; every method accepts ``**kwargs``."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, sender: MessageSender) -> None:
        self.sender = sender

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in outbound.split_text(str(text or "")):
            await self.sender.send(recipient_id, outbound.text_message(part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = outbound.choices_from_buttons(buttons)
        # A list row id allows 200 characters, a reply button 256: fit the stricter one.
        choices = await self.sender.fit_ids(choices, outbound.ROW_ID_MAX)
        for message in outbound.interactive_messages(str(text or ""), choices):
            await self.sender.send(recipient_id, message)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.sender.send(recipient_id, outbound.image_message(str(image)))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, dict):
            await self.send_custom_json(recipient_id, attachment, **kwargs)
        else:
            await self.send_text_message(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """``{"whatsapp": <message or interactive object, or a list of them>}`` is sent as is."""
        content = json_message.get("whatsapp") if isinstance(json_message, dict) else None
        items = content if isinstance(content, list) else [content]
        for item in items:
            message = await self._message_from_custom(item)
            if message is None:
                logger.warning(
                    "Ignoring a custom response without a usable 'whatsapp' object: %.200s", json_message
                )
                continue
            await self.sender.send(recipient_id, message)

    async def _message_from_custom(self, item: Any) -> dict[str, Any] | None:
        if not isinstance(item, dict):
            return None
        kind = item.get("type")
        if kind in MESSAGE_TYPES and kind in item:
            message = dict(item)
        elif isinstance(item.get("action"), dict) or kind in (
            "list",
            "button",
            "cta_url",
            "product",
            "product_list",
        ):
            message = {"type": "interactive", "interactive": item}
        else:
            return None
        if message["type"] == "interactive" and isinstance(message.get("interactive"), dict):
            message["interactive"] = await self._fit_interactive_ids(
                outbound.fit_interactive(message["interactive"])
            )
        return message

    async def _fit_interactive_ids(self, interactive: dict[str, Any]) -> dict[str, Any]:
        action = interactive.get("action")
        if not isinstance(action, dict):
            return interactive
        for section in action.get("sections") or []:
            for row in (section.get("rows") if isinstance(section, dict) else None) or []:
                if (
                    isinstance(row, dict)
                    and isinstance(row.get("id"), str)
                    and len(row["id"]) > outbound.ROW_ID_MAX
                ):
                    row["id"] = await self.sender.aliases.shorten(row["id"])
        for button in action.get("buttons") or []:
            reply = button.get("reply") if isinstance(button, dict) else None
            if (
                isinstance(reply, dict)
                and isinstance(reply.get("id"), str)
                and len(reply["id"]) > outbound.BUTTON_ID_MAX
            ):
                reply["id"] = await self.sender.aliases.shorten(reply["id"])
        return interactive
