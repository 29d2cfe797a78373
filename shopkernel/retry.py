"""Wait out a short outage instead of failing the customer's turn.

Three places ride out a dependency that is briefly gone: the action server's catalog calls
(PostgreSQL restarting), Rasa's tracker store (the same) and Rasa's calls to the action server
(none up behind nginx). They share one rule, kept here so it is tuned in one place: try again
after 0.2 s, doubling up to 2 s, while the next try still starts inside the window; give up at
once on an error that waiting cannot fix. The caller says which errors are worth waiting for.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

FIRST_PAUSE_S = 0.2
MAX_PAUSE_S = 2.0


async def retry_transient(
    call: Callable[[], Awaitable[T]],
    *,
    transient: Callable[[BaseException], bool],
    window_s: float,
    what: str,
    log: logging.Logger,
) -> T:
    """Await ``call()``; on an error ``transient`` accepts, try again until ``window_s`` has passed.

    The last error (or the first one ``transient`` rejects) is raised unchanged, so callers keep
    their own error handling. Each retry is logged at WARNING with ``what`` and the error's type.
    """
    deadline = time.monotonic() + window_s
    pause = FIRST_PAUSE_S
    attempt = 1
    while True:
        try:
            return await call()
        except Exception as exc:
            if not transient(exc) or time.monotonic() + pause > deadline:
                raise
            log.warning(
                "%s failed (attempt %d, %s); trying again in %.1f s", what, attempt, _error_name(exc), pause
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE_S)
            attempt += 1


def _error_name(exc: BaseException) -> str:
    """The driver's error class when SQLAlchemy wraps one (``OperationalError`` says little)."""
    original = getattr(exc, "orig", None)
    return type(original).__name__ if original is not None else type(exc).__name__
