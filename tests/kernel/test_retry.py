"""The shared wait-out rule: transient errors are retried inside the window, others are not."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from shopkernel.retry import retry_transient

log = logging.getLogger("test.retry")


class Flaky:
    """Fails ``failures`` times with ``error``, then answers."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "answer"


def run(call: Flaky, window_s: float, transient=lambda exc: isinstance(exc, ConnectionError)) -> str:
    return asyncio.run(retry_transient(call, transient=transient, window_s=window_s, what="lookup", log=log))


def test_a_transient_error_is_waited_out_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    call = Flaky(2, ConnectionRefusedError("refused"))
    with caplog.at_level(logging.WARNING, logger="test.retry"):
        assert run(call, window_s=5) == "answer"
    assert call.calls == 3
    assert [r.getMessage() for r in caplog.records] == [
        "lookup failed (attempt 1, ConnectionRefusedError); trying again in 0.2 s",
        "lookup failed (attempt 2, ConnectionRefusedError); trying again in 0.4 s",
    ]


def test_an_error_waiting_cannot_fix_is_raised_at_once() -> None:
    call = Flaky(1, ValueError("bad query"))
    with pytest.raises(ValueError, match="bad query"):
        run(call, window_s=5)
    assert call.calls == 1


def test_gives_up_with_the_last_error_when_the_window_closes() -> None:
    call = Flaky(100, ConnectionResetError("reset"))
    started = time.monotonic()
    with pytest.raises(ConnectionResetError):
        run(call, window_s=1.0)
    elapsed = time.monotonic() - started
    # pauses 0.2 + 0.4 fit in 1 s; the next (0.8) would start after the window
    assert call.calls == 3
    assert 0.55 < elapsed < 1.0


def test_a_zero_window_never_retries() -> None:
    call = Flaky(1, ConnectionRefusedError("refused"))
    with pytest.raises(ConnectionRefusedError):
        run(call, window_s=0)
    assert call.calls == 1
