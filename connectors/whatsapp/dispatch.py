"""What to do with each inbound message type: ask Rasa, ask the media pipeline, reply, or ignore."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from connectors.whatsapp.payloads import InboundMessage

MEDIA_KINDS = ("image", "audio")
# Meta's media ids are digits; anything with "/", "..", "?" or "%" would change the Graph URL
# our access token is sent to (GET {graph}/{version}/{media_id}).
MEDIA_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


UNSUPPORTED = "connector.unsupported_type"  # config/customer_copy.yml
# What Rasa reads for a shared location (the NLU is trained on it; the customer never sees it).
LOCATION_MESSAGE = "My location: {where}"


@dataclass(frozen=True)
class ToRasa:
    """Send ``text`` (or a button's payload id) to Rasa with extra metadata."""

    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToMediaPipeline:
    """A photo or voice note: the media handler turns it into text (or not)."""

    kind: str
    media_id: str
    mime_type: str
    caption: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class PoliteReply:
    """Answer directly without a Rasa turn (types the assistant cannot read).

    ``copy_key`` names the entry in config/customer_copy.yml; the channel picks the language.
    """

    copy_key: str


@dataclass(frozen=True)
class Ignore:
    """No turn and no reply (reactions, system notices, empty messages)."""

    reason: str


Decision = ToRasa | ToMediaPipeline | PoliteReply | Ignore


def decide(message: InboundMessage) -> Decision:
    body = message.body
    kind = message.type
    if kind == "text":
        return _text(body)
    if kind == "interactive":
        return _interactive(_obj(body, "interactive"))
    if kind == "button":
        button = _obj(body, "button")
        payload = _s(button.get("payload")) or _s(button.get("text"))
        return ToRasa(payload) if payload else Ignore("template button without payload")
    if kind in MEDIA_KINDS:
        return _media(kind, _obj(body, kind))
    if kind == "location":
        return _location(_obj(body, "location"))
    if kind == "reaction":
        return Ignore("reaction")
    if kind == "system":
        return Ignore("system notice")
    return PoliteReply(UNSUPPORTED)  # video, document, sticker, contacts, order, unsupported, new types


def _text(body: dict[str, Any]) -> Decision:
    text = _s(_obj(body, "text").get("body"))
    return ToRasa(text) if text else Ignore("empty text")


def _interactive(interactive: dict[str, Any]) -> Decision:
    reply_type = interactive.get("type")
    if reply_type in ("button_reply", "list_reply"):
        reply = _obj(interactive, reply_type)
        reply_id = _s(reply.get("id"))
        if reply_id:
            return ToRasa(reply_id, {"reply_title": _s(reply.get("title"))})
        title = _s(reply.get("title"))
        return ToRasa(title) if title else Ignore("interactive reply without id")
    return PoliteReply(UNSUPPORTED)  # nfm_reply (Flows) and future types


def _media(kind: str, media: dict[str, Any]) -> Decision:
    media_id = _s(media.get("id"))
    if not media_id or not MEDIA_ID.match(media_id):
        return PoliteReply(UNSUPPORTED)
    mime_type = _s(media.get("mime_type"))
    voice = bool(media.get("voice")) if kind == "audio" else False
    caption = _s(media.get("caption"))
    metadata = {
        "media": {"kind": kind, "id": media_id, "mime_type": mime_type, "voice": voice, "caption": caption}
    }
    return ToMediaPipeline(
        kind=kind, media_id=media_id, mime_type=mime_type, caption=caption, metadata=metadata
    )


def _location(location: dict[str, Any]) -> Decision:
    lat, lon = location.get("latitude"), location.get("longitude")
    if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) or isinstance(lat, bool):
        return Ignore("location without coordinates")
    name, address = _s(location.get("name")), _s(location.get("address"))
    where = ", ".join(part for part in (name, address) if part) or f"{lat}, {lon}"
    meta = {"location": {"latitude": lat, "longitude": lon, "name": name, "address": address}}
    return ToRasa(LOCATION_MESSAGE.format(where=where), meta)


def rasa_metadata(message: InboundMessage) -> dict[str, Any]:
    """What actions can read from ``tracker.latest_message["metadata"]``."""
    return {
        "channel": "whatsapp",
        "message_id": message.message_id,
        "message_type": message.type,
        "wa_id": message.wa_id,
        "user_id": message.user_id,
        "profile_name": message.profile_name,
        "timestamp": message.timestamp,
        "phone_number_id": message.phone_number_id,
        "display_phone_number": message.display_phone_number,
        "reply_to": message.context_message_id,
    }


def _obj(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _s(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
