"""Exactly-once handling of Meta's at-least-once delivery: an atomic "claim" per message id.

The claim happens before a turn is scheduled. Every instance must share the store:
Redis (``SET NX EX``) when configured, otherwise a primary-key insert in the SQL
database. Entries live longer than Meta's 7-day retry window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from connectors.whatsapp.tables import processed_messages

logger = logging.getLogger(__name__)
PRUNE_EVERY_SECONDS = 3600.0


class DedupStoreError(RuntimeError):
    """The store could not answer; the webhook answers 503 so Meta delivers again later."""


class DedupStore(Protocol):
    async def claim(self, message_id: str) -> bool:
        """True the first time a message id is seen, False for every redelivery."""

    async def close(self) -> None: ...


class SqlDedupStore:
    """Primary-key insert: the database decides who saw a wamid first, across processes."""

    def __init__(self, engine: Engine, ttl_seconds: int) -> None:
        self._engine = engine
        self._ttl = timedelta(seconds=ttl_seconds)
        self._last_prune = 0.0

    async def claim(self, message_id: str) -> bool:
        return await asyncio.to_thread(self._claim, message_id)

    def _claim(self, message_id: str) -> bool:
        now = datetime.now(timezone.utc)
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(processed_messages).values(message_id=message_id, received_at=now))
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise DedupStoreError(f"dedup store unavailable: {type(exc).__name__}") from exc
        self._maybe_prune(now)
        return True

    def _maybe_prune(self, now: datetime) -> None:
        """Drop ids older than the TTL, at most once an hour per process."""
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    delete(processed_messages).where(processed_messages.c.received_at < now - self._ttl)
                )
        except SQLAlchemyError:
            logger.warning("Could not prune old WhatsApp message ids", exc_info=True)

    async def close(self) -> None:
        return None


class RedisDedupStore:
    """``SET whatsapp:wamid:<id> 1 NX EX <ttl>``: atomic and self-expiring."""

    KEY_PREFIX = "whatsapp:wamid:"

    def __init__(self, redis_url: str, ttl_seconds: int) -> None:
        import redis.asyncio as redis_asyncio

        self._redis = redis_asyncio.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
        self._ttl = ttl_seconds

    async def claim(self, message_id: str) -> bool:
        from redis.exceptions import RedisError

        try:
            created = await self._redis.set(self.KEY_PREFIX + message_id, b"1", nx=True, ex=self._ttl)
        except RedisError as exc:
            raise DedupStoreError(f"dedup store unavailable: {type(exc).__name__}") from exc
        return bool(created)

    async def close(self) -> None:
        await self._redis.close()
