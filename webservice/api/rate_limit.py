"""Rate limiting for the public API: one interface, a Redis store and an in-memory store.

Why not the ``limits`` library (the usual choice, used by slowapi): it needs ``packaging>=21``
and Rasa 3.6 pins ``packaging<21``, so it cannot be installed beside the assistant. This module
is the small part of it we need.

Algorithm: GCRA (generic cell rate algorithm, the one behind redis-cell and Stripe's limiter).
It stores one number per client — the "theoretical arrival time" — allows a burst of ``limit``
requests and then one every ``period/limit`` seconds, and knows exactly when the next request
would be allowed (``Retry-After``). No window edges where twice the limit gets through.

- :class:`RedisStore`: a Lua script, atomic on the Redis server, clock from Redis ``TIME`` so
  several API processes on several machines share one budget per client.
- :class:`MemoryStore`: the same arithmetic in a dict (one process; the default without Redis).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from webservice.api.settings import Rate


@dataclass(frozen=True)
class Decision:
    """The answer for one request: allowed or not, and what to tell the client."""

    allowed: bool
    limit: int
    remaining: int
    retry_after_s: float  # 0 when allowed
    reset_after_s: float  # until the budget is full again

    def headers(self) -> dict[str, str]:
        """``RateLimit-*`` (IETF draft) and, when refused, ``Retry-After`` in whole seconds."""
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(math.ceil(self.reset_after_s)),
        }
        if not self.allowed:
            out["Retry-After"] = str(max(1, math.ceil(self.retry_after_s)))
        return out


class RateLimitStore(Protocol):
    """Where the per-client state lives."""

    async def hit(self, key: str, rate: Rate) -> Decision: ...

    async def close(self) -> None: ...


def gcra(tat: float | None, now: float, rate: Rate) -> tuple[Decision, float | None]:
    """One GCRA step: the decision and the new arrival time to store (None: store nothing)."""
    interval = rate.period_s / rate.limit
    tat = max(tat or now, now)
    new_tat = tat + interval
    allow_at = new_tat - rate.period_s
    if now < allow_at:
        remaining_time = tat - now
        return Decision(False, rate.limit, 0, allow_at - now, remaining_time), None
    used = new_tat - now
    # + a nanosecond: (now + 20.0) - now can come out as 20.000000000000004, which floored
    # would announce one request less than the client really has left
    remaining = math.floor((rate.period_s - used) / interval + 1e-9)
    return Decision(True, rate.limit, max(0, remaining), 0.0, used), new_tat


class MemoryStore:
    """Per-process state: right for one API process; use Redis with several."""

    MAX_KEYS = 100_000  # beyond this, expired entries are swept (bounded memory under a flood)

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()

    async def hit(self, key: str, rate: Rate) -> Decision:
        with self._lock:
            now = self._clock()
            decision, new_tat = gcra(self._tat.get(key), now, rate)
            if new_tat is not None:
                self._tat[key] = new_tat
                if len(self._tat) > self.MAX_KEYS:
                    self._sweep(now)
            return decision

    def _sweep(self, now: float) -> None:
        for key in [k for k, tat in self._tat.items() if tat <= now]:
            del self._tat[key]

    async def close(self) -> None:
        return None


# KEYS[1] = state key; ARGV = limit, period (ms). Returns {allowed, remaining, retry_ms, reset_ms}.
_GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, math.ceil(allow_at - now), math.ceil(tat - now)}
end
local used = new_tat - now
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil(used))
return {1, math.floor((period - used) / interval), 0, math.ceil(used)}
"""


class RedisStore:
    """Shared state in Redis (``REDIS_URL``): every API process draws on one budget per client."""

    PREFIX = "partsbot:api:rate:"

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis  # only when Redis is configured

        self._redis = aioredis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script = self._redis.register_script(_GCRA_LUA)

    async def hit(self, key: str, rate: Rate) -> Decision:
        allowed, remaining, retry_ms, reset_ms = await self._script(
            keys=[self.PREFIX + key], args=[rate.limit, rate.period_s * 1000]
        )
        return Decision(bool(allowed), rate.limit, int(remaining), retry_ms / 1000, reset_ms / 1000)

    async def close(self) -> None:
        await self._redis.close()


class RateLimiter:
    """Checks one request against a rate; a store failure lets the request through (logged)."""

    def __init__(self, store: RateLimitStore, on_error: Callable[[Exception], None] | None = None) -> None:
        self.store = store
        self._on_error = on_error

    async def check(self, key: str, rate: Rate) -> Decision | None:
        """The decision, or None when the rate is off or the store is unreachable (fail open:
        a Redis outage must not take the shop's website down with it)."""
        if rate.off:
            return None
        try:
            return await self.store.hit(key, rate)
        except Exception as exc:  # noqa: BLE001 - any store failure: serve, and say so in the log
            if self._on_error:
                self._on_error(exc)
            return None


def make_store(redis_url: str | None) -> RateLimitStore:
    return RedisStore(redis_url) if redis_url else MemoryStore()
