"""Read conversations from Rasa's SQL tracker store (``TRACKER_DB_URL``: SQLite or PostgreSQL).

Rasa's SQLTrackerStore keeps one row per event in the ``events`` table (``sender_id``,
``type_name``, ``timestamp``, ``intent_name``, ``action_name``, ``data`` = the event JSON).
Only that table is read, never written: the review works on a copy or on the live store alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from insights.conversation import Conversation, build_conversations, parse_event
from shopkernel.paths import PROJECT_ROOT
from shopkernel.tracker_store import EVENTS

DEFAULT_TRACKER_URL = "sqlite:///var/tracker.db"


class TrackerStoreError(RuntimeError):
    """The tracker store cannot be read (bad URL, unreachable, not a Rasa SQL store)."""


def tracker_url(url: str | None = None, root: Path = PROJECT_ROOT) -> str:
    """The tracker store URL, relative SQLite paths resolved against the project (as Rasa does)."""
    raw = (url or DEFAULT_TRACKER_URL).strip()
    if raw in ("memory", "in_memory"):
        raise TrackerStoreError("TRACKER_DB_URL=memory: the in-memory tracker store keeps nothing to review")
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise TrackerStoreError(f"TRACKER_DB_URL is not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise TrackerStoreError(f"TRACKER_DB_URL: use sqlite or postgresql, not {backend}")
    if backend == "sqlite" and parsed.database and not Path(parsed.database).is_absolute():
        parsed = parsed.set(database=str(root / parsed.database))
    return parsed.render_as_string(hide_password=False)


@dataclass
class TrackerStore:
    """Read-only access to the ``events`` table; one engine for the life of the object."""

    engine: Engine

    @classmethod
    def from_url(cls, url: str | None = None) -> TrackerStore:
        resolved = tracker_url(url)
        database = make_url(resolved).database
        if resolved.startswith("sqlite") and database and database != ":memory:":
            if not Path(database).exists():
                raise TrackerStoreError(f"no tracker store at {database}: has the assistant run yet?")
            # read only: the file is Rasa's; the review never writes to it
            readonly = f"sqlite:///file:{database}?mode=ro&uri=true"
            return cls(sa.create_engine(readonly, future=True, connect_args={"check_same_thread": False}))
        return cls(sa.create_engine(resolved, pool_pre_ping=True, future=True))

    def dispose(self) -> None:
        self.engine.dispose()

    def senders(self, since: float | None = None, until: float | None = None) -> list[str]:
        """Customers with at least one event in the window (epoch seconds, ``until`` exclusive)."""
        query = sa.select(EVENTS.c.sender_id).distinct()
        query = _window(query, since, until)
        return [row[0] for row in self._run(query)]

    def events(self, sender_id: str) -> list[dict]:
        query = sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id)
        return [parse_event(row[0]) for row in self._run(query)]

    def conversations(
        self, since: float | None = None, until: float | None = None, sender_id: str | None = None
    ) -> list[Conversation]:
        """Every conversation that started in the window, oldest first."""
        senders = [sender_id] if sender_id else self.senders(since, until)
        found = [c for events in self._events_of(senders) for c in build_conversations(*events)]
        inside = [c for c in found if _in_window(c.started_at, since, until)]
        return sorted(inside, key=lambda c: (c.started_at, c.sender_id))

    def conversation(self, key: str) -> Conversation | None:
        """One conversation by its key (``<sender id>:<session>``)."""
        sender_id, _, session = key.rpartition(":")
        if not sender_id or not session.isdigit():
            return None
        return next((c for c in build_conversations(sender_id, self.events(sender_id))
                     if c.session == int(session)), None)  # fmt: skip

    def _events_of(self, senders: list[str]) -> Iterator[tuple[str, list[dict]]]:
        """Events of many customers, fetched in chunks (one query per 500 customers)."""
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            query = (
                sa.select(EVENTS.c.sender_id, EVENTS.c.data)
                .where(EVENTS.c.sender_id.in_(chunk))
                .order_by(EVENTS.c.sender_id, EVENTS.c.id)
            )
            grouped: dict[str, list[dict]] = defaultdict(list)
            for sender, data in self._run(query):
                grouped[sender].append(parse_event(data))
            yield from grouped.items()

    def _run(self, query) -> list:  # noqa: ANN001 - a SQLAlchemy select
        try:
            with self.engine.connect() as conn:
                return list(conn.execute(query))
        except SQLAlchemyError as exc:
            url = self.engine.url.render_as_string(hide_password=True)
            raise TrackerStoreError(f"cannot read the tracker store {url}: {exc.__class__.__name__}: "
                                    f"{str(exc).splitlines()[0]}") from None  # fmt: skip


def _window(query, since: float | None, until: float | None):  # noqa: ANN001, ANN202
    if since is not None:
        query = query.where(EVENTS.c.timestamp >= since)
    if until is not None:
        query = query.where(EVENTS.c.timestamp < until)
    return query


def _in_window(moment: float, since: float | None, until: float | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment < until)
