"""Read-only access to Rasa's SQL tracker store (the ``events`` table), without importing Rasa.

Rasa's ``SQLTrackerStore`` appends one row per event — ``id`` (autoincrement), ``sender_id``,
``type_name``, ``timestamp``, ``intent_name``, ``action_name``, ``data`` (the event as JSON) —
and commits each turn's events in one transaction. The web service only reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from shopkernel.tracker_store import EVENTS

events_table = EVENTS  # the one definition of Rasa's table: shopkernel.tracker_store


class TrackerStoreUnsupported(ValueError):
    """The tracker store is not a SQL database the web service can read (e.g. ``memory``)."""


@dataclass(frozen=True)
class TrackerEvent:
    """One stored Rasa event; ``data`` is the event's JSON (``event``, ``timestamp``, ``text``…)."""

    row_id: int
    sender_id: str
    type_name: str
    timestamp: float | None
    action_name: str | None
    data: dict[str, Any]


def tracker_engine(url: str) -> Engine:
    """An engine on the tracker store's database; refuses anything that is not SQLite/PostgreSQL."""
    if not url or url.strip().lower() == "memory":
        raise TrackerStoreUnsupported("the tracker store is in memory (TRACKER_DB_URL=memory)")
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise TrackerStoreUnsupported(f"TRACKER_DB_URL is not a database URL: {exc}") from exc
    if backend not in ("sqlite", "postgresql"):
        raise TrackerStoreUnsupported(f"TRACKER_DB_URL: use sqlite or postgresql, not {backend}")
    if backend == "sqlite":
        # No PRAGMA here: the file is Rasa's, its journal mode is Rasa's choice.
        return create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 10})
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=3, max_overflow=5)


class TrackerEventReader:
    """Queries on ``events``; blocking (call through ``asyncio.to_thread``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._table_seen = False

    def conversation(self, sender_id: str, after_id: int = 0, limit: int = 2000) -> list[TrackerEvent]:
        """The conversation's events in order (the newest ``limit`` when it is longer)."""
        query = (
            select(events_table)
            .where(events_table.c.sender_id == sender_id, events_table.c.id > after_id)
            .order_by(events_table.c.id.desc())
            .limit(limit)
        )
        return list(reversed(self._run(query)))

    def since(self, after_id: int, limit: int = 500) -> list[TrackerEvent]:
        """Every conversation's events after ``after_id``, oldest first (the live feed's poll)."""
        query = (
            select(events_table).where(events_table.c.id > after_id).order_by(events_table.c.id).limit(limit)
        )
        return self._run(query)

    def last_id(self) -> int:
        with self.engine.connect() as conn:
            if not self._exists(conn):
                return 0
            return int(conn.execute(select(func.max(events_table.c.id))).scalar() or 0)

    def last_customer_message_at(self, sender_id: str) -> float | None:
        """Unix time of the customer's latest message: the start of the 24-hour window."""
        query = select(func.max(events_table.c.timestamp)).where(
            events_table.c.sender_id == sender_id, events_table.c.type_name == "user"
        )
        with self.engine.connect() as conn:
            if not self._exists(conn):
                return None
            value = conn.execute(query).scalar()
        return float(value) if value is not None else None

    def last_customer_messages(self, sender_ids: list[str]) -> dict[str, TrackerEvent]:
        """The latest ``user`` event of each conversation (for the waiting queue)."""
        if not sender_ids:
            return {}
        latest = (
            select(func.max(events_table.c.id))
            .where(events_table.c.sender_id.in_(sender_ids), events_table.c.type_name == "user")
            .group_by(events_table.c.sender_id)
        )
        return {
            event.sender_id: event
            for event in self._run(select(events_table).where(events_table.c.id.in_(latest)))
        }

    def _run(self, query: Any) -> list[TrackerEvent]:
        with self.engine.connect() as conn:
            if not self._exists(conn):
                return []  # Rasa creates the table on its first start
            rows = conn.execute(query).mappings().all()
        return [_event(row) for row in rows]

    def _exists(self, conn: Any) -> bool:
        if not self._table_seen:
            self._table_seen = conn.dialect.has_table(conn, "events")
        return self._table_seen


def _event(row: Any) -> TrackerEvent:
    try:
        data = json.loads(row["data"] or "{}")
    except ValueError:
        data = {}
    return TrackerEvent(
        row_id=int(row["id"]),
        sender_id=str(row["sender_id"]),
        type_name=str(row["type_name"]),
        timestamp=row["timestamp"],
        action_name=row["action_name"],
        data=data if isinstance(data, dict) else {},
    )
