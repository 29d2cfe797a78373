"""Turns of one customer run one at a time, in arrival order; customers run in parallel.

Within one process an in-memory queue per sender keeps order (Rasa's lock store
does the same across processes). A worker exists only while its customer has
pending messages, and every task is referenced until it ends.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from shopkernel.masking import mask_phone

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class SenderQueues:
    def __init__(self) -> None:
        self._pending: dict[str, deque[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def submit(self, sender_id: str, job: Job) -> None:
        """Queue ``job`` behind this sender's earlier jobs (starts a worker if idle)."""
        queue = self._pending.get(sender_id)
        if queue is not None:
            queue.append(job)
            return
        self._pending[sender_id] = deque([job])
        self._workers[sender_id] = asyncio.create_task(
            self._drain(sender_id), name=f"whatsapp-turns-{sender_id}"
        )

    async def _drain(self, sender_id: str) -> None:
        queue = self._pending[sender_id]
        try:
            while queue:
                job = queue.popleft()
                try:
                    await job()
                except Exception:  # noqa: BLE001 - one failed turn must not stop the next ones
                    logger.exception("WhatsApp turn for %s failed", mask_phone(sender_id))
        finally:
            # No await between the empty check and the removal: submit() cannot interleave.
            del self._pending[sender_id]
            del self._workers[sender_id]

    @property
    def busy_senders(self) -> int:
        return len(self._workers)

    async def join(self, timeout: float | None = None) -> None:
        """Wait until every queued turn has finished (tests, benchmarks, shutdown)."""

        async def _wait() -> None:
            while self._workers:
                await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

        await asyncio.wait_for(_wait(), timeout)
