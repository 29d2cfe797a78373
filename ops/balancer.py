"""A small HTTP balancer for running several Rasa servers or action servers on one machine.

In production use nginx or Caddy (deploy/nginx.conf); this one exists so that
``deploy/run_cluster.py``, the fault suite and the load benchmark need nothing installed.

* ``--sticky``: requests carrying a customer (a WhatsApp webhook's ``messages[].from``, a
  REST body's ``sender``) go to the same upstream every time (rendezvous hashing: when an
  upstream dies only its customers move). Rasa's Redis lock store orders turns across
  instances anyway; stickiness just avoids lock contention.
* An upstream that **refuses the connection** was never reached, so the request is retried
  on the next one, and, if none is up, retried for ``--retry-window`` seconds (a restarting
  action server costs a pause, not a lost turn). A request that reached an upstream is
  never sent twice: if that upstream dies mid-request the caller gets 502.

    python -m ops.balancer --listen 127.0.0.1:5005 --sticky \
        --upstream http://127.0.0.1:5101 --upstream http://127.0.0.1:5102
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
    "transfer-encoding", "upgrade", "host", "content-length",
}  # fmt: skip


class NoUpstream(RuntimeError):
    """No upstream accepted a connection within the retry window."""


def sender_of(path: str, body: bytes) -> str | None:
    """The customer a request is about, if it names one (WhatsApp webhook or REST body)."""
    if not body or not path.startswith("/webhooks/"):
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("sender"), str):
        return data["sender"]
    for entry in data.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for message in value.get("messages") or []:
                who = (message or {}).get("from") or (message or {}).get("from_user_id")
                if who:
                    return str(who)
    return None


def rendezvous_order(key: str, upstreams: list[str]) -> list[str]:
    """Upstreams by descending hash(key, upstream): stable per key, minimal moves on change."""
    return sorted(upstreams, key=lambda u: hashlib.sha256(f"{key}|{u}".encode()).digest(), reverse=True)


@dataclass
class Balancer:
    upstreams: list[str]
    sticky: bool = False
    retry_window_s: float = 10.0
    timeout_s: float = 330.0  # above Rasa's 300 s action timeout
    down_for_s: float = 2.0
    _down_until: dict[str, float] = field(default_factory=dict)
    _rr: Any = None
    _session: aiohttp.ClientSession | None = None
    stats: dict[str, int] = field(default_factory=lambda: {"requests": 0, "retries": 0, "failed": 0})

    def __post_init__(self) -> None:
        if not self.upstreams:
            raise ValueError("a balancer needs at least one upstream")
        self.upstreams = [u.rstrip("/") for u in self.upstreams]
        self._rr = itertools.cycle(range(len(self.upstreams)))

    def order(self, key: str | None) -> list[str]:
        """Upstreams to try, preferred first; ones that just refused go last."""
        if self.sticky and key:
            ordered = rendezvous_order(key, self.upstreams)
        else:
            start = next(self._rr)
            ordered = self.upstreams[start:] + self.upstreams[:start]
        now = time.monotonic()
        return [u for u in ordered if self._down_until.get(u, 0) <= now] + [
            u for u in ordered if self._down_until.get(u, 0) > now
        ]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path == "/_balancer/health":
            return web.json_response(self.health())
        body = await request.read()
        key = sender_of(request.path, body) if self.sticky else None
        self.stats["requests"] += 1
        try:
            status, headers, payload = await self.forward(
                request.method, request.path_qs, request.headers, body, key
            )
        except NoUpstream as exc:
            self.stats["failed"] += 1
            return web.Response(status=503, text=str(exc))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            self.stats["failed"] += 1
            log.warning("upstream failed mid-request on %s: %s", request.path, type(exc).__name__)
            return web.Response(status=502, text=f"upstream failed: {type(exc).__name__}")
        return web.Response(status=status, headers=headers, body=payload)

    async def forward(
        self, method: str, path_qs: str, headers: Any, body: bytes, key: str | None
    ) -> tuple[int, dict[str, str], bytes]:
        session = await self._client()
        out_headers = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        deadline = time.monotonic() + self.retry_window_s
        while True:
            for upstream in self.order(key):
                try:
                    async with session.request(
                        method, upstream + path_qs, data=body, headers=out_headers
                    ) as resp:
                        payload = await resp.read()
                        back = {k: v for k, v in resp.headers.items() if k.lower() not in HOP_BY_HOP}
                        back.pop("Content-Encoding", None)
                        return resp.status, back, payload
                except aiohttp.ClientConnectorError:
                    self._down_until[upstream] = time.monotonic() + self.down_for_s
                    self.stats["retries"] += 1
            if time.monotonic() >= deadline:
                raise NoUpstream(f"no upstream accepted a connection within {self.retry_window_s:g} s")
            await asyncio.sleep(0.25)

    def health(self) -> dict[str, Any]:
        now = time.monotonic()
        return {
            "upstreams": {u: ("down" if self._down_until.get(u, 0) > now else "up") for u in self.upstreams},
            **self.stats,
        }

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s, connect=2),
                connector=aiohttp.TCPConnector(limit=0, force_close=False),
                auto_decompress=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def make_app(balancer: Balancer) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", balancer.handle)

    async def close(_: web.Application) -> None:
        await balancer.close()

    app.on_cleanup.append(close)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:5005", help="host:port")
    parser.add_argument("--upstream", action="append", required=True, help="base URL; repeat")
    parser.add_argument("--sticky", action="store_true", help="route by customer")
    parser.add_argument("--retry-window", type=float, default=10.0, help="seconds to wait for any upstream")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s balancer %(levelname)s %(message)s")
    host, _, port = args.listen.rpartition(":")
    balancer = Balancer(args.upstream, sticky=args.sticky, retry_window_s=args.retry_window)
    web.run_app(make_app(balancer), host=host or "127.0.0.1", port=int(port), access_log=None, print=None)


if __name__ == "__main__":
    main()
