"""Dependencies of the API routes: the database session, the calling client, rate limits.

Who is calling: an API key (``X-API-Key: cpd_...`` or ``Authorization: Bearer cpd_...``) or,
without one, the client's IP address (behind nginx, uvicorn's ``--forwarded-allow-ips`` makes
that the real client's address). A wrong or revoked key is refused (401), never treated as
anonymous: a partner must notice that their key stopped working.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Depends, Request

from accounts.api_keys import ApiKeyInfo, touch, verify_key
from webservice.api.errors import ApiProblem
from webservice.api.settings import Rate
from webservice.api.state import ApiState

TOUCH_EVERY_S = 60.0


@dataclass(frozen=True)
class Client:
    """Who is calling: a key, or an address."""

    address: str
    key: ApiKeyInfo | None = None

    @property
    def rate_key(self) -> str:
        return f"key:{self.key.key_id}" if self.key else f"ip:{self.address}"

    @property
    def owner(self) -> str:
        """Whose idempotency keys these are (keys of two partners never collide)."""
        return f"key:{self.key.key_id}" if self.key else "anonymous"


def api_state(request: Request) -> ApiState:
    return request.app.state.api


class KeyCache:
    """Verified keys for a few seconds, so a busy partner costs no database query per call;
    a revoked key stops working within ``ttl_s``."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._keys: dict[str, tuple[float, ApiKeyInfo | None]] = {}
        self._touched: dict[int, float] = {}

    def lookup(self, state: ApiState, presented: str) -> ApiKeyInfo | None:
        now = time.monotonic()
        cached = self._keys.get(presented)
        if cached and now - cached[0] < self.ttl_s:
            return cached[1]
        with state.sessions() as session:
            info = verify_key(session, presented)
            if info is not None and info.active and now - self._touched.get(info.id, -1e18) > TOUCH_EVERY_S:
                touch(session, info)
                session.commit()
                self._touched[info.id] = now
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[presented] = (now, info)
        return info


def _presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    auth = request.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def current_client(request: Request) -> Client:
    """The caller; 401 for a key that is unknown or revoked."""
    cached = getattr(request.state, "client", None)
    if cached is not None:
        return cached
    address = request.client.host if request.client else "unknown"
    presented = _presented_key(request)
    key = None
    if presented:
        state = api_state(request)
        cache: KeyCache = state.extras.setdefault("key_cache", KeyCache(state.settings.api_key_cache_s))
        key = await asyncio.to_thread(cache.lookup, state, presented)
        if key is None or not key.active:
            raise ApiProblem(
                401,
                "the API key is not valid or has been revoked",
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
    client = Client(address=address, key=key)
    request.state.client = client
    return client


def rate_limited(kind: str, rate_of: Callable[[ApiState, Client], Rate]) -> Callable[..., Awaitable[Client]]:
    """A dependency that counts the request against ``kind``'s budget; 429 with Retry-After."""

    async def check(request: Request, client: Client = Depends(current_client)) -> Client:
        state = api_state(request)
        decision = await state.limiter.check(f"{kind}:{client.rate_key}", rate_of(state, client))
        if decision is None:
            return client
        if not decision.allowed:
            raise ApiProblem(
                429,
                f"too many requests: {decision.limit} allowed per "
                f"{rate_of(state, client).period_s} s; try again in {decision.headers()['Retry-After']} s",
                headers=decision.headers(),
            )
        request.state.rate_headers = decision.headers()
        return client

    return check


def _read_rate(state: ApiState, client: Client) -> Rate:
    return state.settings.key_rate if client.key else state.settings.anonymous_rate


def _lead_rate(state: ApiState, client: Client) -> Rate:
    """Anonymous form posts (when the shop opens them) get the tight lead rate per address; a
    website's key sends every customer's form, so it gets the key rate."""
    return state.settings.key_rate if client.key else state.settings.leads_rate


read_limit = rate_limited("read", _read_rate)
lead_limit = rate_limited("leads", _lead_rate)
