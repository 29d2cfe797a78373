"""What the API keeps for the life of the process: the database, caches, the rate limiter.

Built by :func:`webservice.api.mount` from the settings (never at import time), stored on
``app.state.api`` and closed at shutdown.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog.chassis_lookup import ChassisLookupClient
from catalog.frame_codes import FrameCodeTable, table_with_db
from catalog.vocabulary import VocabularyCache
from shopkernel.db import make_engine, make_read_engine, make_session_factory, read_once_more
from webservice.api.rate_limit import RateLimiter, make_store
from webservice.api.search_cache import SearchCache
from webservice.api.settings import ApiSettings

log = logging.getLogger("webservice.api")
T = TypeVar("T")


class TtlValue:
    """A value loaded on first use and again after ``ttl_s`` (a failed reload keeps the old one)."""

    def __init__(self, load: Callable[[], object], ttl_s: float) -> None:
        self._load = load
        self._ttl = ttl_s
        self._lock = threading.Lock()
        self._value: object = None
        self._at = -1e18

    def get(self) -> object:
        if time.monotonic() - self._at < self._ttl:
            return self._value
        with self._lock:
            if time.monotonic() - self._at < self._ttl:
                return self._value
            try:
                self._value = self._load()
            except Exception:
                if self._value is None:
                    raise
                log.warning("reload failed; serving the previous value", exc_info=True)
            self._at = time.monotonic()
            return self._value


@dataclass
class ApiState:
    settings: ApiSettings
    engine: Engine
    sessions: sessionmaker  # writes (leads, key use) and anything transactional
    read_engine: Engine
    reads: sessionmaker  # searches and lookups: autocommit, no ping (shopkernel.db.make_read_engine)
    vocabulary: VocabularyCache
    frame_codes: TtlValue
    limiter: RateLimiter
    chassis_lookup: ChassisLookupClient
    search_pages: SearchCache
    extras: dict = field(default_factory=dict)

    @classmethod
    def build(cls, database_url: str, settings: ApiSettings) -> ApiState:
        engine = make_engine(database_url)
        sessions = make_session_factory(engine)
        read_engine = make_read_engine(database_url)
        reads = make_session_factory(read_engine)

        def frame_table() -> FrameCodeTable:
            return read_once_more(reads, table_with_db)

        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            read_engine=read_engine,
            reads=reads,
            vocabulary=VocabularyCache(reads, ttl_seconds=300),
            frame_codes=TtlValue(frame_table, 300),
            limiter=RateLimiter(make_store(settings.redis_url), on_error=_store_down),
            chassis_lookup=ChassisLookupClient(settings.lookup, sessions),
            search_pages=SearchCache(settings.search_cache_s, settings.search_threads),
        )

    def read(self, work: Callable[[Session], T]) -> T:
        """A read-only unit of work on the read engine (run again once on a dead connection)."""
        return read_once_more(self.reads, work)

    async def close(self) -> None:
        await self.limiter.store.close()
        await self.chassis_lookup.aclose()
        self.engine.dispose()
        self.read_engine.dispose()


def _store_down(exc: Exception) -> None:
    log.warning("rate-limit store unreachable (%s); serving without a limit", type(exc).__name__)
