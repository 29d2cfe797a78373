"""Builders for the webhook bodies Meta POSTs to the bot, in Meta's exact shapes.

Used by the fake Graph API (to forward what a "customer" types), by the tests and by
the benchmarks. Field names and nesting follow developers.facebook.com's webhook
reference; ``timestamp`` is Unix seconds as a *string*, ids are opaque strings.
"""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

from connectors.whatsapp.signature import SIGNATURE_HEADER, sign

DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_DISPLAY_NUMBER = "15550783881"
DEFAULT_WABA_ID = "102290129340398"


def new_wamid() -> str:
    """An id shaped like Meta's ``wamid.HBgL…`` (base64 of random bytes)."""
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18" + os.urandom(18)).decode("ascii")


def _now() -> str:
    return str(int(time.time()))


def contact(
    wa_id: str | None = None, name: str | None = "Customer", user_id: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"profile": {"name": name}} if name else {}
    if wa_id:
        item["wa_id"] = wa_id
    if user_id:
        item["user_id"] = user_id
    return item


def _message(
    sender: str | None, kind: str, content: Any, *, user_id: str | None = None, **extra: Any
) -> dict:
    message: dict[str, Any] = {"id": extra.pop("id", None) or new_wamid(), "timestamp": _now(), "type": kind}
    if sender:
        message["from"] = sender
    if user_id:
        message["from_user_id"] = user_id
    if content is not None:
        message[kind] = content
    message.update(extra)
    return message


def text(sender: str | None, body: str, **extra: Any) -> dict[str, Any]:
    return _message(sender, "text", {"body": body}, **extra)


def button_reply(
    sender: str | None, reply_id: str, title: str, context_id: str | None = None, **extra: Any
) -> dict:
    interactive = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    return _message(sender, "interactive", interactive, **_context(context_id, sender), **extra)


def list_reply(
    sender: str | None,
    reply_id: str,
    title: str,
    description: str = "",
    context_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    reply = {"id": reply_id, "title": title}
    if description:
        reply["description"] = description
    interactive = {"type": "list_reply", "list_reply": reply}
    return _message(sender, "interactive", interactive, **_context(context_id, sender), **extra)


def template_button(sender: str | None, payload: str, button_text: str, **extra: Any) -> dict[str, Any]:
    return _message(sender, "button", {"payload": payload, "text": button_text}, **extra)


def image(
    sender: str | None, media_id: str, mime_type: str = "image/jpeg", caption: str = "", **extra: Any
) -> dict:
    content = {"id": media_id, "mime_type": mime_type, "sha256": extra.pop("sha256", "0" * 64)}
    if caption:
        content["caption"] = caption
    return _message(sender, "image", content, **extra)


def audio(
    sender: str | None,
    media_id: str,
    mime_type: str = "audio/ogg; codecs=opus",
    voice: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    content = {
        "id": media_id,
        "mime_type": mime_type,
        "sha256": extra.pop("sha256", "0" * 64),
        "voice": voice,
    }
    return _message(sender, "audio", content, **extra)


def media(sender: str | None, kind: str, media_id: str, mime_type: str, **fields: Any) -> dict[str, Any]:
    """video, document (``filename``), sticker (``animated``): the types the bot does not read."""
    return _message(sender, kind, {"id": media_id, "mime_type": mime_type, "sha256": "0" * 64, **fields})


def location(
    sender: str | None, latitude: float, longitude: float, name: str = "", address: str = ""
) -> dict:
    content: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name:
        content["name"] = name
    if address:
        content["address"] = address
    return _message(sender, "location", content)


def contacts_card(sender: str | None, formatted_name: str, phone: str) -> dict[str, Any]:
    card = {
        "name": {"formatted_name": formatted_name, "first_name": formatted_name},
        "phones": [{"phone": phone}],
    }
    return _message(sender, "contacts", [card])


def reaction(sender: str | None, message_id: str, emoji: str | None = "👍") -> dict[str, Any]:
    content: dict[str, Any] = {"message_id": message_id}
    if emoji is not None:
        content["emoji"] = emoji
    return _message(sender, "reaction", content)


def system_changed_number(old_wa_id: str, new_wa_id: str) -> dict[str, Any]:
    body = f"User {old_wa_id} changed from {old_wa_id} to {new_wa_id}"
    content = {"body": body, "wa_id": new_wa_id, "type": "user_changed_number"}
    return _message(old_wa_id, "system", content)


def unsupported(sender: str | None) -> dict[str, Any]:
    errors = [
        {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
        }
    ]
    return _message(sender, "unsupported", {"type": "edit"}, errors=errors)


def status(
    wamid: str, state: str, recipient_id: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A receipt for one of the bot's messages: sent, delivered, read, failed (with ``errors``)."""
    item: dict[str, Any] = {"id": wamid, "status": state, "timestamp": _now(), "recipient_id": recipient_id}
    if state in ("sent", "delivered"):
        item["conversation"] = {"id": os.urandom(16).hex(), "origin": {"type": "service"}}
        item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
    if errors:
        item["errors"] = errors
    return item


def error_item(code: int, title: str, details: str = "") -> dict[str, Any]:
    return {"code": code, "title": title, "message": title, "error_data": {"details": details or title}}


def value(
    messages: list[dict[str, Any]] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    statuses: list[dict[str, Any]] | None = None,
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
) -> dict[str, Any]:
    """One ``changes[].value``; ``contacts`` is omitted when given as None (system messages)."""
    result: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": display_phone_number, "phone_number_id": phone_number_id},
    }
    if contacts is not None:
        result["contacts"] = contacts
    if messages is not None:
        result["messages"] = messages
    if statuses is not None:
        result["statuses"] = statuses
    return result


def envelope(*entries: list[dict[str, Any]], waba_id: str = DEFAULT_WABA_ID) -> dict[str, Any]:
    """``entries`` is one list of ``value`` dicts per entry (each becomes a change)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": waba_id, "changes": [{"value": v, "field": "messages"} for v in values]}
            for values in entries
        ],
    }


def customer_message(message: dict[str, Any], name: str | None = "Customer", **value_kwargs: Any) -> dict:
    """A whole body for one customer message (the common case)."""
    wa_id = message.get("from")
    contacts = (
        None if message.get("type") == "system" else [contact(wa_id, name, message.get("from_user_id"))]
    )
    return envelope([value(messages=[message], contacts=contacts, **value_kwargs)])


def statuses_body(*items: dict[str, Any], **value_kwargs: Any) -> dict[str, Any]:
    return envelope([value(statuses=list(items), **value_kwargs)])


def encode(body: dict[str, Any]) -> bytes:
    """Meta sends compact JSON with non-ASCII escaped (``\\u00e9``), which the HMAC covers."""
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def signed_headers(raw: bytes, app_secret: str) -> dict[str, str]:
    return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(raw, app_secret)}


def _context(context_id: str | None, sender: str | None) -> dict[str, Any]:
    return {"context": {"from": DEFAULT_DISPLAY_NUMBER, "id": context_id}} if context_id else {}
