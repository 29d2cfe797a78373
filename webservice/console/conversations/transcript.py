"""Rasa events as what a person reads: who said what, taps, photos and voice notes with their text.

What the WhatsApp connector stores (connectors/whatsapp/dispatch.py): a tapped button or list row
arrives as its payload with ``metadata.reply_title`` (what the customer saw); a photo or voice note
carries ``metadata.media`` (kind, Meta media id, caption, voice) and its text is what the media
pipeline made of it — the transcript of a voice note, or ``/chassis_number{"vin": …}`` /
``/unreadable_photo`` for a photo. Staff messages are ``bot`` events with ``metadata.agent``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from webservice.console.conversations.tracker_events import TrackerEvent

_INTENT_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?$", re.DOTALL)
_CHASSIS_ENTITIES = {"vin": "VIN", "frame_number": "frame number"}


@dataclass(frozen=True)
class Entry:
    """One line of the transcript. ``who``: customer | bot | staff | system."""

    row_id: int
    who: str
    kind: str  # text | tap | photo | voice | location | list | note
    text: str
    at: datetime | None = None
    detail: str = ""  # the OCR reading, a tapped payload, a caption…
    agent: str = ""
    media_id: str = ""
    media_kind: str = ""
    options: tuple[str, ...] = field(default_factory=tuple)  # buttons or list rows the bot offered


def entries(events: list[TrackerEvent]) -> list[Entry]:
    """The readable entries of ``events`` (slots, listens and other bookkeeping are left out)."""
    result = []
    for event in events:
        entry = entry_for(event)
        if entry is not None:
            result.append(entry)
    return result


def entry_for(event: TrackerEvent) -> Entry | None:
    data, kind = event.data, event.type_name
    at = _when(event.timestamp if event.timestamp is not None else data.get("timestamp"))
    if kind == "user":
        return _customer(event.row_id, data, at)
    if kind == "bot":
        return _bot(event.row_id, data, at)
    note = _system_note(event, data)
    return Entry(event.row_id, "system", "note", note, at) if note else None


def _customer(row_id: int, data: dict[str, Any], at: datetime | None) -> Entry:
    text = str(data.get("text") or "")
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    media = metadata.get("media") if isinstance(metadata.get("media"), dict) else None
    if media:
        return _media(row_id, text, media, at)
    if metadata.get("location"):
        return Entry(row_id, "customer", "location", text, at)
    title = metadata.get("reply_title")
    if isinstance(title, str) and title.strip():
        return Entry(row_id, "customer", "tap", title.strip(), at, detail=text)
    intent, _ = _payload(text)
    if intent:  # a payload without a title (older clients, template buttons)
        return Entry(row_id, "customer", "tap", text, at, detail=text)
    return Entry(row_id, "customer", "text", text, at)


def _media(row_id: int, text: str, media: dict[str, Any], at: datetime | None) -> Entry:
    kind = str(media.get("kind") or "")
    media_id = str(media.get("id") or "")
    caption = str(media.get("caption") or "")
    if kind == "audio":
        return Entry(
            row_id,
            "customer",
            "voice",
            text or "(no words recognised)",
            at,
            media_id=media_id,
            media_kind=kind,
        )
    intent, entities = _payload(text)
    if intent == "chassis_number" and entities:
        name, value = next(iter(entities.items()))
        reading = f"{_CHASSIS_ENTITIES.get(name, name)} read from the photo: {value}"
    elif intent == "unreadable_photo":
        reading = "no chassis number could be read from the photo"
    else:
        reading = text if text and not intent else ""
    return Entry(row_id, "customer", "photo", caption, at, detail=reading, media_id=media_id, media_kind=kind)


def _bot(row_id: int, data: dict[str, Any], at: datetime | None) -> Entry:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    agent = str(metadata.get("agent") or "")
    payload = data.get("data") if isinstance(data.get("data"), dict) else {}
    text = str(data.get("text") or "")
    options = _options(payload)
    kind = "list" if options else "text"
    if not text and payload.get("image"):
        text, kind = str(payload["image"]), "text"
    if not text:
        text = _custom_body(payload)
    return Entry(row_id, "staff" if agent else "bot", kind, text, at, agent=agent, options=options)


def _options(payload: dict[str, Any]) -> tuple[str, ...]:
    buttons = payload.get("buttons") or payload.get("quick_replies")
    if isinstance(buttons, list):
        return tuple(str(b.get("title") or "") for b in buttons if isinstance(b, dict) and b.get("title"))
    interactive = _interactive(payload)
    action = interactive.get("action") if isinstance(interactive.get("action"), dict) else {}
    rows = [
        row
        for section in action.get("sections") or []
        if isinstance(section, dict)
        for row in section.get("rows") or []
        if isinstance(row, dict)
    ]
    if rows:
        return tuple(
            " · ".join(str(row.get(k)) for k in ("title", "description") if row.get(k)) for row in rows
        )
    reply_buttons = action.get("buttons") or []
    return tuple(
        str(b["reply"].get("title") or "")
        for b in reply_buttons
        if isinstance(b, dict) and isinstance(b.get("reply"), dict)
    )


def _interactive(payload: dict[str, Any]) -> dict[str, Any]:
    custom = payload.get("custom")
    whatsapp = custom.get("whatsapp") if isinstance(custom, dict) else None
    if isinstance(whatsapp, list):
        whatsapp = whatsapp[0] if whatsapp else None
    if not isinstance(whatsapp, dict):
        return {}
    if isinstance(whatsapp.get("interactive"), dict):
        return whatsapp["interactive"]
    return whatsapp


def _custom_body(payload: dict[str, Any]) -> str:
    interactive = _interactive(payload)
    body = interactive.get("body")
    if isinstance(body, dict) and body.get("text"):
        return str(body["text"])
    custom = payload.get("custom")
    whatsapp = custom.get("whatsapp") if isinstance(custom, dict) else None
    if isinstance(whatsapp, dict) and isinstance(whatsapp.get("template"), dict):
        return f"Template “{whatsapp['template'].get('name', '')}”"
    return ""


def _system_note(event: TrackerEvent, data: dict[str, Any]) -> str:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    agent = str(metadata.get("agent") or "")
    kind = event.type_name
    if kind == "action" and event.action_name == "action_handoff":
        return "The customer asked for a person"
    if kind == "pause":
        return f"{agent} took over: the bot is silent" if agent else "Waiting for a person: the bot is silent"
    if kind == "resume":
        return f"{agent} handed back to the bot" if agent else "Back to the bot"
    if kind == "restart":
        return "The conversation was restarted"
    if kind == "session_started":
        return "New session (after a long silence)"
    return ""


def _payload(text: str) -> tuple[str | None, dict[str, Any]]:
    """``/intent{"entity": "value"}`` → (intent, entities); (None, {}) for ordinary text."""
    match = _INTENT_PAYLOAD.match(text.strip()) if text else None
    if not match:
        return None, {}
    raw = match.group("entities")
    try:
        entities = json.loads(raw) if raw else {}
    except ValueError:
        entities = {}
    return match.group("intent"), entities if isinstance(entities, dict) else {}


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
