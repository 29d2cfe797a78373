"""Rasa ``OutputChannel`` for WhatsApp; the sends themselves go through :class:`MessageSender`.

Sends never raise into Rasa: a failure is logged (recipient masked), stored in
``whatsapp_failed_sends`` for staff, and for 131047 (24-hour window closed) the
configured template goes out instead.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel

from connectors.whatsapp import outbound
from connectors.whatsapp.sender import MessageSender
from shopkernel.language import LanguageMemory

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


class WhatsAppOutput(OutputChannel):
    """What Rasa calls to answer a customer; every method accepts ``**kwargs``."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, sender: MessageSender, languages: LanguageMemory | None = None) -> None:
        self.sender = sender
        # The assistant's replies are in the customer's language (its `language` slot): what the
        # connector itself adds (list buttons, apologies) follows the last one.
        self.languages = languages if languages is not None else LanguageMemory(size=1000)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        if not kwargs.get("connector_copy"):  # the connector's own words do not set the language
            self.languages.note(recipient_id, str(text or ""))
        for part in outbound.split_text(str(text or "")):
            await self.sender.send(recipient_id, outbound.text_message(part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        choices = outbound.choices_from_buttons(buttons)
        # A list row id allows 200 characters, a reply button 256: fit the stricter one.
        choices = await self.sender.fit_ids(choices, outbound.ROW_ID_MAX)
        language = self.languages.note(recipient_id, str(text or ""))
        for message in outbound.interactive_messages(str(text or ""), choices, language):
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
