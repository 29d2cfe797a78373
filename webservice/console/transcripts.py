"""Read conversations from Rasa's SQL tracker store, for any console page (leads, live, review).

Rasa writes one row per event to the ``events`` table (``sender_id``, ``type_name``,
``timestamp``, JSON ``data``). Reading that table directly, read-only, is cheaper than asking the
Rasa server for whole trackers and keeps the console readable when Rasa is down. Rows are turned
into :class:`TranscriptEntry` items a template can show without knowing Rasa's event format.

Who wrote what:
- ``user`` events are the customer: text, a tapped button (``metadata.reply_title``), a photo or a
  voice note (``metadata.media``; the text next to it is what OCR / speech-to-text read);
- ``bot`` events are the assistant, unless ``metadata.agent`` (the live console's staff replies)
  or ``metadata.staff`` (``{"username": ..., "name": ...}``) names a person;
- pauses, resumes and handoffs are ``system`` lines.

``entries(sender, after_id=...)`` gives the new lines since a known event id, for live updates.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from shopkernel.tracker_store import EVENTS

log = logging.getLogger(__name__)

SHOWN_TYPES = ("user", "bot", "pause", "resume", "action")
SYSTEM_ACTIONS = {"action_handoff": "handoff"}
MAX_ENTRIES = 500


class TranscriptUnavailable(RuntimeError):
    """The tracker store cannot be read (not configured, missing, or the database is down)."""


@dataclass(frozen=True)
class TranscriptEntry:
    """One line of a conversation as staff read it."""

    id: int
    at: datetime
    sender: str  # customer | bot | staff | system
    text: str = ""
    tapped: str | None = None  # the title of the button or list row the customer chose
    buttons: tuple[str, ...] = ()  # what the assistant offered
    media_kind: str | None = None  # image | audio | video | document | sticker
    media_caption: str | None = None
    voice: bool = False
    staff_name: str | None = None
    photo_unreadable: bool = False  # a photo in which OCR found no chassis number
    intent: str | None = None
    system: str | None = None  # paused | resumed | handoff
    metadata: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Transcript:
    entries: list[TranscriptEntry]
    truncated: bool  # older lines were left out

    @property
    def last_id(self) -> int:
        return self.entries[-1].id if self.entries else 0


class TranscriptReader:
    """Read-only access to the tracker store; the engine is built on first use."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self._engine: Engine | None = None

    def _connect(self) -> Engine:
        if not self.url:
            raise TranscriptUnavailable("conversations are kept in memory (TRACKER_DB_URL=memory)")
        if self._engine is None:
            url = make_url(self.url)
            if url.get_backend_name() == "sqlite":
                path = Path(url.database or "")
                if not path.is_file():
                    raise TranscriptUnavailable("no conversation has been recorded yet")
                self._engine = create_engine(
                    f"sqlite:///file:{path}?mode=ro&uri=true", future=True,
                    connect_args={"check_same_thread": False, "timeout": 5},
                )
            else:
                self._engine = create_engine(
                    self.url, future=True, pool_pre_ping=True, pool_size=2, max_overflow=4,
                    connect_args={"connect_timeout": 5},
                )
        return self._engine

    def transcript(self, sender_id: str, limit: int = MAX_ENTRIES) -> Transcript:
        """The latest ``limit`` lines of one conversation, oldest first."""
        rows = self._rows(sender_id, after_id=0, limit=limit + 1, newest=True)
        truncated = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        return Transcript([e for e in map(to_entry, rows) if e is not None], truncated)

    def entries(self, sender_id: str, after_id: int = 0, limit: int = MAX_ENTRIES) -> list[TranscriptEntry]:
        """Lines after event ``after_id``, oldest first (live updates)."""
        rows = self._rows(sender_id, after_id=after_id, limit=limit, newest=False)
        return [e for e in map(to_entry, rows) if e is not None]

    def latest_slot(self, sender_id: str, slot: str, before: datetime | None = None) -> Any:
        """The value of a slot as last set before ``before`` (e.g. the items shown before a lead)."""
        stmt = (
            select(EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == "slot")
            .where(EVENTS.c.data.contains(json.dumps(slot)))
            .order_by(EVENTS.c.id.desc())
            .limit(200)
        )
        if before is not None:
            stmt = stmt.where(EVENTS.c.timestamp <= _aware(before).timestamp() + 5)
        for (data,) in self._execute(stmt):
            event = _json(data)
            if event.get("name") == slot:
                return event.get("value")
        return None

    def latest_event_id(self) -> int:
        return int(self._execute(select(func.coalesce(func.max(EVENTS.c.id), 0)))[0][0])

    def _rows(self, sender_id: str, after_id: int, limit: int, newest: bool) -> list:
        order = EVENTS.c.id.desc() if newest else EVENTS.c.id.asc()
        stmt = (
            select(EVENTS.c.id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.action_name, EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id, EVENTS.c.id > after_id)
            .where(EVENTS.c.type_name.in_(SHOWN_TYPES))
            .order_by(order)
            .limit(limit)
        )
        return self._execute(stmt)

    def _execute(self, stmt) -> list:  # noqa: ANN001 - a SQLAlchemy statement
        engine = self._connect()
        try:
            with engine.connect() as conn:
                return list(conn.execute(stmt))
        except SQLAlchemyError as exc:
            log.warning("tracker store unreadable: %s", type(exc).__name__)
            raise TranscriptUnavailable("the conversation store is not reachable right now") from exc

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def to_entry(row) -> TranscriptEntry | None:  # noqa: ANN001 - a result row
    """One ``events`` row as a transcript line; None for events staff do not need to see."""
    event_id, type_name, timestamp, action_name, data = row
    event = _json(data)
    at = datetime.fromtimestamp(timestamp or event.get("timestamp") or 0, tz=timezone.utc)
    if type_name == "user":
        return _user_entry(event_id, at, event)
    if type_name == "bot":
        return _bot_entry(event_id, at, event)
    meta = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    agent = meta.get("agent") or None
    if type_name == "pause":  # with an agent: the live console's "take over"
        system = "taken" if agent else "paused"
        return TranscriptEntry(event_id, at, "system", system=system, staff_name=agent)
    if type_name == "resume":
        system = "handed_back" if agent else "resumed"
        return TranscriptEntry(event_id, at, "system", system=system, staff_name=agent)
    if type_name == "action" and action_name in SYSTEM_ACTIONS:
        return TranscriptEntry(event_id, at, "system", system=SYSTEM_ACTIONS[action_name])
    return None


def _user_entry(event_id: int, at: datetime, event: dict) -> TranscriptEntry:
    meta = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    media = meta.get("media") if isinstance(meta.get("media"), dict) else {}
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    text = str(event.get("text") or "")
    tapped = meta.get("reply_title") if isinstance(meta.get("reply_title"), str) else None
    if tapped is None and text.startswith("/"):
        tapped = text  # a payload typed or sent by a button without a title
    unreadable = False
    if media.get("kind") == "image":  # the media pipeline's reading, as /chassis_photo{"vin": …}
        text, unreadable = _photo_reading(text)
    return TranscriptEntry(
        event_id,
        at,
        "customer",
        text=text,
        tapped=tapped,
        photo_unreadable=unreadable,
        media_kind=str(media.get("kind")) if media.get("kind") else None,
        media_caption=media.get("caption") or None,
        voice=bool(media.get("voice")),
        intent=intent,
        metadata=meta,
    )


def _bot_entry(event_id: int, at: datetime, event: dict) -> TranscriptEntry:
    meta = event.get("metadata") if isinstance(event.get("metadata"), dict) else {}
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    staff = meta.get("staff") if isinstance(meta.get("staff"), dict) else None
    agent = meta.get("agent") if isinstance(meta.get("agent"), str) and meta.get("agent") else None
    text = str(event.get("text") or "")
    buttons = tuple(str(b.get("title")) for b in data.get("buttons") or [] if isinstance(b, dict))
    rows = _list_rows(data.get("custom"))
    if not text and isinstance(data.get("custom"), dict):
        text = _interactive_body(data["custom"])
    return TranscriptEntry(
        event_id,
        at,
        "staff" if staff or agent else "bot",
        text=text,
        buttons=buttons or rows,
        staff_name=(staff or {}).get("name") or (staff or {}).get("username") or agent,
        metadata=meta,
    )


def _photo_reading(text: str) -> tuple[str, bool]:
    """(what OCR read, nothing readable?) from ``/chassis_photo{"vin": "JTM…"}`` / ``/unreadable_photo``."""
    if text.startswith("/unreadable_photo"):
        return "", True
    if text.startswith("/") and "{" in text:
        values = _json(text[text.index("{") :])
        return " ".join(str(v) for v in values.values()), False
    return text, False


def _list_rows(custom: Any) -> tuple[str, ...]:
    """Row titles of a WhatsApp list or reply buttons sent as a custom payload."""
    if not isinstance(custom, dict):
        return ()
    interactive = (custom.get("whatsapp") or {}) if isinstance(custom.get("whatsapp"), dict) else {}
    action = interactive.get("action") if isinstance(interactive.get("action"), dict) else {}
    titles: list[str] = []
    for section in action.get("sections") or []:
        for row in (section or {}).get("rows") or []:
            if isinstance(row, dict) and row.get("title"):
                titles.append(str(row["title"]))
    for button in action.get("buttons") or []:
        reply = (button or {}).get("reply") if isinstance(button, dict) else None
        if isinstance(reply, dict) and reply.get("title"):
            titles.append(str(reply["title"]))
    return tuple(titles)


def _interactive_body(custom: dict) -> str:
    interactive = custom.get("whatsapp") if isinstance(custom.get("whatsapp"), dict) else {}
    body = interactive.get("body") if isinstance(interactive.get("body"), dict) else {}
    return str(body.get("text") or "")


def _json(data: str | None) -> dict:
    try:
        value = json.loads(data or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
