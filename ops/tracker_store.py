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
``python -m ops.endpoints`` write that for PostgreSQL URLs).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.exc import DBAPIError, OperationalError

from ops.settings import OpsSettings
from shopkernel.retry import retry_transient

log = logging.getLogger(__name__)
T = TypeVar("T")


def _is_transient(exc: BaseException) -> bool:
    """A lost or refused connection (worth retrying), not a bad query."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


class RetryingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose reads and writes wait for the database to come back."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        configured = kwargs.pop("retry_seconds", None)
        self.retry_seconds = (
            float(configured) if configured is not None else OpsSettings.from_env().tracker_retry_seconds
        )
        super().__init__(*args, **kwargs)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Any:
        parent = super()._retrieve
        return await self._with_retry("retrieve", lambda: parent(sender_id, fetch_events_from_all_sessions))

    async def save(self, tracker: Any) -> None:
        parent = super().save
        await self._with_retry("save", lambda: parent(tracker))

    async def _with_retry(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        return await retry_transient(
            call, transient=_is_transient, window_s=self.retry_seconds, what=f"tracker store {what}", log=log
        )
