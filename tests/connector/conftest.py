"""Fixtures: a fake Graph API and the channel on a real Sanic server, both on localhost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from connectors.whatsapp.channel import WhatsAppInput
from simulator.graph_server import FakeGraphApi
from tests.connector.harness import ACCESS_TOKEN, APP_SECRET, BotServer, make_settings


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraphApi]:
    fake = FakeGraphApi(access_token=ACCESS_TOKEN, app_secret=APP_SECRET)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'connector.db'}"


@pytest.fixture
def settings(fake_graph, sqlite_url):
    return make_settings(fake_graph.base_url, sqlite_url)


@pytest.fixture
async def bot(settings) -> AsyncIterator[BotServer]:
    server = await BotServer(WhatsAppInput(settings)).start()
    yield server
    await server.stop()
