"""Process-wide resources of the action server, built lazily on first use.

The engine, session factory, vocabulary cache and chassis-lookup client are created once per
process from
:class:`AssistantSettings` (never at import time). Blocking database work runs in a worker
thread through :func:`call_catalog`, so one slow query never stalls other customers, and any
database failure surfaces as :class:`CatalogUnavailable`, which actions turn into a polite
reply plus a spooled lead.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from actions.settings import AssistantSettings
from catalog.chassis_lookup import ChassisLookupClient
from catalog.lead_spool import LeadSpool
from catalog.vocabulary import Vocabulary, VocabularyCache
from shopkernel.db import make_engine, make_session_factory, session_scope
from shopkernel.retry import retry_transient

log = logging.getLogger(__name__)
T = TypeVar("T")


class CatalogUnavailable(RuntimeError):
    """The catalog database could not be used (down, locked, missing tables)."""


@dataclass
class ActionRuntime:
    settings: AssistantSettings
    engine: Engine
    session_factory: sessionmaker
    vocabulary_cache: VocabularyCache
    spool: LeadSpool
    chassis_lookup: ChassisLookupClient  # no connection until the first lookup; off without a URL


_lock = threading.Lock()
_runtime: ActionRuntime | None = None


def get_runtime() -> ActionRuntime:
    """The process's runtime, created from the environment on first call."""
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                _runtime = build_runtime(AssistantSettings.from_env())
    return _runtime


def build_runtime(settings: AssistantSettings) -> ActionRuntime:
    engine = make_engine(settings.catalog.database_url, echo=settings.catalog.sql_echo)
    factory = make_session_factory(engine)
    return ActionRuntime(
        settings=settings,
        engine=engine,
        session_factory=factory,
        vocabulary_cache=VocabularyCache(factory, ttl_seconds=settings.vocabulary_ttl_seconds),
        spool=LeadSpool(settings.spool_path),
        chassis_lookup=ChassisLookupClient(settings.lookup, factory),
    )


def set_runtime(runtime: ActionRuntime | None) -> None:
    """Install a runtime (tests) or drop the current one so the next call rebuilds it."""
    global _runtime
    with _lock:
        if _runtime is not None and runtime is not _runtime:
            _runtime.chassis_lookup.close()
            _runtime.engine.dispose()
        _runtime = runtime


async def call_catalog(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking catalog work in a thread; database errors become CatalogUnavailable.

    A lost server connection (PostgreSQL restarting, a failover, a network blip) is tried
    again for ``CATALOG_RETRY_SECONDS``: a customer waits a few seconds for the list rather
    than being told the system is down. Other errors give up at once.
    """
    try:
        return await retry_transient(
            lambda: asyncio.to_thread(fn, *args, **kwargs),
            transient=_connection_lost,
            window_s=get_runtime().settings.catalog_retry_seconds,
            what="catalog call",
            log=log,
        )
    except SQLAlchemyError as exc:
        log.warning("catalog unavailable: %s", type(exc).__name__)
        raise CatalogUnavailable(str(exc).splitlines()[0]) from exc


def _connection_lost(exc: BaseException) -> bool:
    """A server connection problem worth waiting out (not a locked file or a missing table).

    PostgreSQL's driver raises OperationalError/InterfaceError for connection failures only;
    SQLite uses OperationalError for permanent errors too, and waits on locks by itself.
    """
    engine = get_runtime().engine
    return engine.dialect.name != "sqlite" and isinstance(exc, (OperationalError, InterfaceError))


async def in_session(fn: Callable[[Session], T]) -> T:
    """Run ``fn(session)`` in one committed unit of work, off the event loop."""
    runtime = get_runtime()

    def work() -> T:
        with session_scope(runtime.session_factory) as session:
            return fn(session)

    return await call_catalog(work)


async def vocabulary() -> Vocabulary:
    """The cached catalog vocabulary (loaded in a thread on first use and after its TTL)."""
    return await call_catalog(get_runtime().vocabulary_cache.get)
