"""Rasa waits for an action server instead of dropping the action when none answers.

Rasa 3.6 logs a failed custom-action call and carries on without its events: the customer gets
no answer (and the turn is "done"). nginx retries another action server when one refuses or
dies mid-call, but when *none* is up (all restarting) it answers 502 at once. This wrapper
retries the call for ``ACTION_RETRY_SECONDS`` (default 30) on a refused connection or a
502/503/504 from the balancer. Safe because the actions are idempotent where it matters:
leads carry a key from the customer's message id (catalog/leads.py ``source_key``).
Installed by the ops channel in each Rasa process.
"""

from __future__ import annotations

import logging
from typing import Any

from shopkernel.retry import retry_transient

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({502, 503, 504})
_installed = False


def _retryable(exc: BaseException) -> bool:
    """A refused connection, or a 502/503/504 from the balancer (no action server behind it).

    Rasa raises its own ``rasa.utils.endpoints.ClientResponseError`` for an HTTP error status
    (not aiohttp's class of the same name), so the status is read from either.
    """
    import aiohttp
    from rasa.utils.endpoints import ClientResponseError as RasaResponseError

    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, (RasaResponseError, aiohttp.ClientResponseError)):
        return cause.status in RETRY_STATUSES
    return isinstance(cause, aiohttp.ClientConnectionError)


def install_action_retry(window_s: float) -> None:
    """Wrap ``RemoteAction.run`` once per process (idempotent)."""
    global _installed
    if _installed or window_s <= 0:
        return
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.exceptions import RasaException

    original = RemoteAction.run

    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        return await retry_transient(
            lambda: original(self, *args, **kwargs),
            transient=lambda exc: isinstance(exc, RasaException) and _retryable(exc),
            window_s=window_s,
            what=f"action {self.name()} (no action server answered)",
            log=log,
        )

    RemoteAction.run = run  # type: ignore[method-assign]
    _installed = True
