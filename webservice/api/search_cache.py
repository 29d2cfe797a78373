"""Recent search pages, kept for a few seconds: the website asks the same questions again and again.

A storefront's category and vehicle pages send the same ``GET /api/v1/parts`` for every visitor;
partners poll. Computing each one costs 3-6 ms of CPU (vocabulary reading + the catalog query),
which caps one process near 200 requests/s. A page is kept ``API_SEARCH_CACHE_SECONDS`` (default
30; 0 turns it off) and at most ``MAX_PAGES`` pages are kept (the least recently used go first).
The price: stock and prices in search results may be up to that many seconds old; a single part
(``/parts/{sku}``) and leads are never cached.

The search itself runs in a small pool of its own (``API_SEARCH_THREADS``, default 2): CPU-bound
work in Python gains nothing from 40 threads fighting over the GIL, and measured, a 2-thread pool
served more requests per second with a lower p95 at 50 clients than the default 40
(docs/api.md, "Measured"). The console's routes keep the default pool.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread

MAX_PAGES = 5000


class SearchCache:
    """Search-page bodies by query key, for ``ttl_s`` seconds; computed in a pool of ``threads``."""

    def __init__(self, ttl_s: float, threads: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._pages: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._threads = threads
        self._limiter: anyio.CapacityLimiter | None = None

    async def page(self, key: str, compute: Callable[[], Any]) -> Any:
        """The cached page for ``key``, or ``compute()`` run in the search pool (and kept)."""
        cached = self._get(key)
        if cached is not None:
            return cached
        if self._limiter is None:  # created inside the event loop that uses it
            self._limiter = anyio.CapacityLimiter(self._threads)
        value = await anyio.to_thread.run_sync(compute, limiter=self._limiter)
        self._put(key, value)
        return value

    def _get(self, key: str) -> Any:
        if self.ttl_s <= 0:
            return None
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return entry[1]

    def _put(self, key: str, value: Any) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            self._pages[key] = (self._clock() + self.ttl_s, value)
            self._pages.move_to_end(key)
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
