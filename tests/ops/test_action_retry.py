"""A turn waits for an action server when nginx has none to give it (ops/action_retry.py).

A real HTTP server on this machine plays nginx: it answers 502 (no upstream) a few times, then
what a rasa-sdk action server answers. Rasa's own ``RemoteAction`` makes the calls.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from ops.action_retry import install_action_retry

DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  make:\n    type: text\n    mappings: []\n")


async def _serve(statuses: list[int], port: int = 0) -> tuple[web.AppRunner, str, list[int]]:
    """An action endpoint that answers the given statuses in turn, then 200 with a SlotSet."""
    seen: list[int] = []

    async def webhook(_: web.Request) -> web.Response:
        status = statuses[len(seen)] if len(seen) < len(statuses) else 200
        seen.append(status)
        if status == 200:
            return web.json_response({"events": [{"event": "slot", "name": "make", "value": "Toyota"}]})
        if status == 400:
            return web.json_response({"action_name": "action_x", "error": "rejected"}, status=400)
        return web.Response(status=status, text="<html>502 Bad Gateway</html>")

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 - the port the OS chose
    return runner, f"http://127.0.0.1:{port}/webhook", seen


async def _run(url: str) -> list:
    action = RemoteAction("action_x", EndpointConfig(url))
    tracker = DialogueStateTracker("971500000001", DOMAIN.slots)
    return await action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, DOMAIN)


@pytest.fixture(scope="module", autouse=True)
def _installed() -> None:
    install_action_retry(5.0)


async def test_502s_from_the_balancer_are_retried_until_an_action_server_answers():
    runner, url, seen = await _serve([502, 503, 502])
    try:
        events = await _run(url)
    finally:
        await runner.cleanup()
    assert SlotSet("make", "Toyota") in events
    assert seen == [502, 503, 502, 200]


async def test_a_refused_connection_is_retried_until_the_server_is_up():
    runner, url, _ = await _serve([])
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    await runner.cleanup()  # nothing listens on that port now

    async def start_later() -> web.AppRunner:
        await asyncio.sleep(0.6)
        late, _, _ = await _serve([], port)
        return late

    starter = asyncio.create_task(start_later())
    try:
        events = await _run(url)
    finally:
        await (await starter).cleanup()
    assert SlotSet("make", "Toyota") in events


async def test_an_action_error_is_not_retried():
    runner, url, seen = await _serve([500])
    try:
        with pytest.raises(RasaException):
            await _run(url)
    finally:
        await runner.cleanup()
    assert seen == [500]  # the action itself failed: running it again would not help
