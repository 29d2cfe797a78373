"""Readiness checks: can this process do its job right now? (Liveness is just "it answers".)

Each check is a small coroutine that raises on failure; :func:`run_checks` runs them
concurrently with a timeout and returns a :class:`Readiness` that renders as JSON with HTTP
200 (all ok) or 503 (a load balancer or systemd should stop sending traffic / restart).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

Check = Callable[[], Awaitable[Any]]


class NotReady(RuntimeError):
    """A dependency answered, but not in a usable way (wrong store type, no model...)."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    ms: float


@dataclass(frozen=True)
class Readiness:
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def status(self) -> int:
        return 200 if self.ok else 503

    def to_dict(self) -> dict[str, Any]:
        return {"status": "ready" if self.ok else "not ready", "checks": [asdict(c) for c in self.checks]}


async def run_checks(checks: Mapping[str, Check], timeout_s: float = 2.0) -> Readiness:
    """Run every check concurrently; a check that times out or raises is reported, not raised."""
    names = list(checks)
    results = await asyncio.gather(*(_timed(name, checks[name], timeout_s) for name in names))
    return Readiness(list(results))


async def _timed(name: str, check: Check, timeout_s: float) -> CheckResult:
    started = time.perf_counter()
    try:
        detail = await asyncio.wait_for(check(), timeout_s)
        ok = True
    except asyncio.TimeoutError:
        ok, detail = False, f"no answer within {timeout_s:g} s"
    except Exception as exc:  # noqa: BLE001 - every failure is a "not ready" with its reason
        ok, detail = False, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return CheckResult(name, ok, str(detail or "ok")[:300], round((time.perf_counter() - started) * 1000, 1))


_sql_engines: dict[str, Any] = {}


def sql_check(url: str, timeout_s: float = 2.0) -> Check:
    """``SELECT 1`` over a fresh connection (so a dead server is seen at once)."""

    async def check() -> str:
        return await asyncio.to_thread(_select_one, url, timeout_s)

    return check


def _select_one(url: str, timeout_s: float) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = _sql_engines.get(url)
    if engine is None:
        connect_args = {"connect_timeout": max(1, int(timeout_s))} if url.startswith("postgresql") else {}
        engine = create_engine(url, poolclass=NullPool, future=True, connect_args=connect_args)
        _sql_engines[url] = engine
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return engine.dialect.name


def redis_check(url: str, timeout_s: float = 2.0) -> Check:
    async def check() -> str:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
        try:
            await client.ping()
        finally:
            await client.close()
        return "PONG"

    return check


def http_check(url: str, timeout_s: float = 2.0) -> Check:
    async def check() -> str:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(url)
        if response.status_code != 200:
            raise NotReady(f"{url} answered {response.status_code}")
        return f"HTTP {response.status_code}"

    return check
