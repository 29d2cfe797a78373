"""ops.balancer against real HTTP upstreams on this machine."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web

from ops.balancer import Balancer, make_app, rendezvous_order, sender_of
from simulator import webhooks


class Upstream:
    """A tiny HTTP server that records what reached it."""

    def __init__(self, name: str, hang_up: bool = False) -> None:
        self.name, self.hang_up = name, hang_up
        self.received: list[tuple[str, bytes, dict]] = []
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.received.append((request.path_qs, await request.read(), dict(request.headers)))
        if self.hang_up:  # dies mid-request
            request.transport.abort()
            await asyncio.sleep(1)
        return web.json_response({"served_by": self.name}, status=201)

    async def start(self, port: int = 0) -> Upstream:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port or self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def _serve(balancer: Balancer) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(make_app(balancer))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]


def _webhook(sender: str) -> bytes:
    return webhooks.encode(webhooks.customer_message(webhooks.text(sender, "hi")))


@pytest.fixture
async def pair():
    ups = [await Upstream("a").start(), await Upstream("b").start()]
    yield ups
    for up in ups:
        if up.runner is not None:
            await up.stop()


async def test_a_customer_always_reaches_the_same_instance_and_customers_spread(pair):
    balancer = Balancer([u.url for u in pair], sticky=True)
    runner, url = await _serve(balancer)
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(20):
                for _ in range(3):
                    body = _webhook(f"97150{n:07d}")
                    sig = webhooks.signed_headers(body, "s")
                    async with http.post(f"{url}/webhooks/whatsapp/webhook", data=body, headers=sig) as r:
                        assert r.status == 201
    finally:
        await runner.cleanup()
        await balancer.close()
    for up in pair:
        senders = [sender_of(path, body) for path, body, _ in up.received]
        assert senders  # both instances get customers
        for sender in set(senders):
            assert senders.count(sender) == 3  # all three messages of a customer on one instance
    headers = pair[0].received[0][2]
    assert headers["X-Hub-Signature-256"].startswith("sha256=")  # signature passed through untouched


async def test_refused_connection_moves_to_the_next_instance_once(pair):
    sender = "971501234567"
    home, other = (
        p for name in rendezvous_order(sender, [u.url for u in pair]) for p in pair if p.url == name
    )
    await home.stop()
    balancer = Balancer([u.url for u in pair], sticky=True)
    runner, url = await _serve(balancer)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{url}/webhooks/whatsapp/webhook", data=_webhook(sender)) as r,
        ):
            assert r.status == 201
            assert (await r.json())["served_by"] == other.name
    finally:
        await runner.cleanup()
        await balancer.close()
    assert len(other.received) == 1


async def test_waits_for_an_instance_to_come_back_then_gives_up_with_503():
    up = Upstream("late")
    await up.start()
    await up.stop()  # port known, nothing listening
    balancer = Balancer([up.url], retry_window_s=3)
    runner, url = await _serve(balancer)
    try:
        async with aiohttp.ClientSession() as http:

            async def restart_soon() -> None:
                await asyncio.sleep(0.6)
                await up.start(up.port)

            restarter = asyncio.create_task(restart_soon())
            async with http.post(f"{url}/webhook", json={"next_action": "x"}) as r:
                assert r.status == 201  # held until the server was back, not lost
            await restarter
            await up.stop()
            balancer.retry_window_s = 0.5
            async with http.post(f"{url}/webhook", json={"next_action": "y"}) as r:
                assert r.status == 503
    finally:
        await runner.cleanup()
        await balancer.close()
    assert [json.loads(body)["next_action"] for _, body, _ in up.received] == ["x"]


async def test_a_request_that_reached_a_dying_instance_is_not_sent_twice():
    dying, healthy = await Upstream("dying", hang_up=True).start(), await Upstream("ok").start()
    balancer = Balancer([dying.url, healthy.url])  # round robin starts with "dying"
    runner, url = await _serve(balancer)
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{url}/webhook", json={"next_action": "action_choose_part"}) as r,
        ):
            assert r.status == 502
    finally:
        await runner.cleanup()
        await balancer.close()
        await dying.stop()
        await healthy.stop()
    assert len(dying.received) == 1 and healthy.received == []


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/webhooks/rest/webhook", b'{"sender": "alice", "message": "hi"}', "alice"),
        ("/webhooks/whatsapp/webhook", b"not json", None),
        ("/webhooks/whatsapp/webhook", b"[1, 2]", None),
        ("/webhooks/whatsapp/webhook", webhooks.encode(webhooks.statuses_body()), None),
        ("/status", b'{"sender": "alice"}', None),
    ],
)
def test_sender_of_odd_bodies(path: str, body: bytes, expected: str | None):
    assert sender_of(path, body) == expected
