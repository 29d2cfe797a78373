"""Run the fake Graph API on its own event loop thread, for synchronous callers.

End-to-end tests and benchmarks drive a Rasa server in another process with blocking
HTTP calls; this keeps the fake Graph API answering meanwhile::

    with BackgroundGraph(app_secret="s", access_token="t") as graph:
        ...  # graph.base_url, graph.fake.sent, graph.wait_for(1, "9715...")
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from simulator.graph_server import FakeGraphApi, SentMessage


class BackgroundGraph:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, **fake_kwargs: Any) -> None:
        self.host, self.port = host, port
        self.fake = FakeGraphApi(**fake_kwargs)
        self.base_url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-graph", daemon=True)

    def run(self, coro: Any, timeout: float = 60.0) -> Any:
        """Run ``coro`` on the fake's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def wait_for(self, count: int, recipient: str | None = None, timeout: float = 30.0) -> list[SentMessage]:
        return self.run(self.fake.wait_for(count, recipient, timeout), timeout + 5)

    def __enter__(self) -> BackgroundGraph:
        self._thread.start()
        self.base_url = self.run(self.fake.start(self.host, self.port))
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.run(self.fake.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
