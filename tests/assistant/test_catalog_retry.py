"""A short PostgreSQL outage delays a search instead of answering "the system is down".

The catalog is reached through a TCP proxy that refuses connections and breaks the pooled
ones, as a restarting or failing-over PostgreSQL does; the real server is not touched.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from actions.runtime import CatalogUnavailable, build_runtime, in_session, set_runtime
from actions.settings import AssistantSettings
from catalog.settings import Settings
from tests.faults.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied_runtime(postgres_server_url: str, tmp_path: Path):
    url = make_url(postgres_server_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)

        def make(retry_seconds: float):
            settings = AssistantSettings(
                catalog=Settings(database_url=proxied),
                spool_path=tmp_path / "spool.jsonl",
                catalog_retry_seconds=retry_seconds,
            )
            runtime = build_runtime(settings)
            set_runtime(runtime)
            return runtime

        yield proxy, make
    set_runtime(None)


def _answer(session) -> int:  # noqa: ANN001
    return session.execute(text("SELECT 42")).scalar_one()


async def test_a_query_during_a_short_outage_waits_and_answers(proxied_runtime):
    proxy, make = proxied_runtime
    make(retry_seconds=10)
    assert await in_session(_answer) == 42  # a pooled connection exists
    proxy.refuse()  # pooled connection broken, new ones refused
    loop = asyncio.get_running_loop()
    loop.call_later(1.5, proxy.accept)
    started = loop.time()
    assert await in_session(_answer) == 42
    assert loop.time() - started >= 1.0  # it waited for the database, not for nothing


async def test_an_outage_longer_than_the_window_gives_up(proxied_runtime):
    proxy, make = proxied_runtime
    make(retry_seconds=1)
    proxy.refuse()
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(CatalogUnavailable):
        await in_session(_answer)
    assert loop.time() - started < 5
    proxy.accept()


async def test_a_missing_table_is_not_waited_for(proxied_runtime):
    _, make = proxied_runtime
    make(retry_seconds=10)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(CatalogUnavailable):
        await in_session(lambda s: s.execute(text("SELECT * FROM no_such_table")).all())
    assert loop.time() - started < 2
