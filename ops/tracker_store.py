"""Rasa's SQL tracker store, made to ride out a short database outage instead of forgetting.

Why: Rasa wraps every tracker store in ``FailSafeTrackerStore``. When PostgreSQL refuses a
connection, ``retrieve`` returns ``None`` (Rasa starts a *new* conversation: the form the
customer was in is gone) and ``save`` writes to an in-memory fallback (the customer's message
and the bot's answer never reach PostgreSQL; the next turn does not see them). Measured in
tests/faults/test_postgres_outage.py.

This subclass retries ``retrieve``/``save`` on connection errors for up to
``TRACKER_RETRY_SECONDS`` (default 30, below Rasa's 60 s ticket-lock lifetime), so a turn that
arrives during an outage waits and then runs on the real conversation. Use it with
``type: ops.tracker_store.RetryingSQLTrackerStore`` in endpoints.yml (deploy/run_cluster.py and
``python -m ops.endpoints`` write that for every SQL URL).

It also keeps the tracker of each recent conversation after saving it. Rasa rebuilds a tracker
from every event of the session on each message (query, JSON, replaying the events): 15 % of
the Rasa server's event loop at 20 customers (benchmarks/closed_loop.py --profile). The next
message of the same customer gets the kept tracker back when the database's newest event of
that conversation is still the one this process wrote last (one indexed ``max(id)`` query), so
another Rasa process, an erasure or a failed turn makes it read the database as before.
"""

from __future__ import annotations

import itertools
import json
import logging
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import QueuePool

from ops.settings import OpsSettings
from shopkernel.retry import retry_transient

log = logging.getLogger(__name__)
T = TypeVar("T")


def _is_transient(exc: BaseException) -> bool:
    """A lost or refused connection (worth retrying), not a bad query."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    """SQLite's write-ahead log: a save appends to the log instead of rewriting pages through a
    rollback journal (two fsyncs), and readers never wait for a writer. Still fully synchronous."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@dataclass
class _Kept:
    """A saved tracker and what identifies its state: the newest event row, the event count."""

    tracker: DialogueStateTracker
    last_event_id: int
    events: int


class RetryingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose reads and writes wait for the database to come back, and
    which hands a conversation's saved tracker back instead of rebuilding it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        configured = kwargs.pop("retry_seconds", None)
        kept = kwargs.pop("keep_trackers", None)
        settings = OpsSettings.from_env()
        self.retry_seconds = float(configured) if configured is not None else settings.tracker_retry_seconds
        self.keep_trackers = int(kept) if kept is not None else settings.tracker_keep
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        # sender -> (the tracker handed out, how many of its events the database holds)
        self._handed_out: dict[str, tuple[weakref.ref[DialogueStateTracker], int]] = {}
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite" and self.engine.url.database not in (None, "", ":memory:"):
            self._keep_sqlite_connections()

    def _keep_sqlite_connections(self) -> None:
        """Rasa opens a SQLite file through SQLAlchemy's NullPool: a new connection (and its
        PRAGMA) for every read and save, 7 % of Rasa's event loop at 20 customers. A small pool
        keeps them open (each used by one thread at a time, as Rasa's own store does)."""
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(
            url, poolclass=QueuePool, pool_size=5, max_overflow=10,
            connect_args={"check_same_thread": False, "timeout": 30},
        )  # fmt: skip
        sa.event.listen(self.engine, "connect", _write_ahead_log)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        parent = super()._retrieve
        all_sessions = fetch_events_from_all_sessions
        if all_sessions or self.keep_trackers <= 0:  # older sessions: only the database has them
            return await self._with_retry("retrieve", lambda: parent(sender_id, all_sessions))
        self._handed_out.pop(sender_id, None)
        kept = self._kept.pop(sender_id, None)  # handed out once: the caller changes it
        if kept is not None:
            current = await self._with_retry("check", lambda: self._newest_event_id(sender_id))
            if current == kept.last_event_id and len(kept.tracker.events) == kept.events:
                self._handed_out[sender_id] = (weakref.ref(kept.tracker), kept.events)
                return kept.tracker
        tracker = await self._with_retry("retrieve", lambda: parent(sender_id, all_sessions))
        if tracker is not None:
            self._handed_out[sender_id] = (weakref.ref(tracker), len(tracker.events))
        return tracker

    async def save(self, tracker: Any) -> None:
        await self.stream_events(tracker)
        await self._with_retry("save", lambda: self._save_events(tracker))

    async def _save_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's ``SQLTrackerStore.save`` after streaming (3.6), knowing which events are new
        when this process handed the tracker out, and keeping the tracker afterwards."""
        sender_id = tracker.sender_id
        handed = self._handed_out.pop(sender_id, None)
        self._kept.pop(sender_id, None)  # whatever was kept is older than this
        with self.session_scope() as session:
            if handed is not None and handed[0]() is tracker:
                stored = handed[1]
            else:
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).count()
            new_events = list(itertools.islice(tracker.events, stored, None))
            rows = [self._row(sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()  # assigns the ids
            last_id = max((row.id for row in rows), default=None)
            if last_id is None:
                last_id = self._newest_event_id_in(session, sender_id)
            session.commit()
        if not any(isinstance(event, SessionStarted) for event in new_events):
            self._keep(tracker, last_id)

    def _row(self, sender_id: str, event: Any) -> Any:
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _keep(self, tracker: DialogueStateTracker, last_id: int | None) -> None:
        """Keep a tracker for the customer's next message. Not one that started a session in
        this turn: Rasa reads back only the newest session's events, so it would differ."""
        if self.keep_trackers <= 0 or last_id is None:
            return
        self._kept[tracker.sender_id] = _Kept(tracker, last_id, len(tracker.events))
        self._kept.move_to_end(tracker.sender_id)
        while len(self._kept) > self.keep_trackers:
            self._kept.popitem(last=False)

    async def _newest_event_id(self, sender_id: str) -> int | None:
        with self.session_scope() as session:
            return self._newest_event_id_in(session, sender_id)

    def _newest_event_id_in(self, session: Any, sender_id: str) -> int | None:
        query = sa.select(sa.func.max(self.SQLEvent.id)).where(self.SQLEvent.sender_id == sender_id)
        return session.execute(query).scalar()

    async def _with_retry(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        return await retry_transient(
            call, transient=_is_transient, window_s=self.retry_seconds, what=f"tracker store {what}", log=log
        )
