"""The dedup store on every backend: first claim wins, even under concurrency."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from connectors.whatsapp.dedup import RedisDedupStore, SqlDedupStore
from connectors.whatsapp.tables import create_tables, make_engine, metadata


@pytest.fixture
def sql_store(database_url):
    engine = make_engine(database_url)
    metadata.drop_all(engine)
    create_tables(engine)
    yield SqlDedupStore(engine, ttl_seconds=3600)
    metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
async def redis_store(redis_url):
    store = RedisDedupStore(redis_url, ttl_seconds=60)
    yield store
    await store.close()


async def _first_claim_wins(store):
    wamid = f"wamid.{uuid.uuid4().hex}"
    assert await store.claim(wamid) is True
    assert await store.claim(wamid) is False
    assert await store.claim(wamid + "x") is True


async def _one_winner_under_concurrency(store):
    wamid = f"wamid.{uuid.uuid4().hex}"
    results = await asyncio.gather(*(store.claim(wamid) for _ in range(16)))
    assert results.count(True) == 1


async def test_sql_first_claim_wins(sql_store):  # SQLite and PostgreSQL (conftest database_url)
    await _first_claim_wins(sql_store)


async def test_sql_concurrent_claims_have_one_winner(sql_store):
    await _one_winner_under_concurrency(sql_store)


async def test_redis_first_claim_wins(redis_store):
    await _first_claim_wins(redis_store)


async def test_redis_concurrent_claims_have_one_winner(redis_store):
    await _one_winner_under_concurrency(redis_store)


async def test_redis_keys_expire_after_the_ttl(redis_url):
    import redis

    store = RedisDedupStore(redis_url, ttl_seconds=8 * 24 * 3600)
    wamid = f"wamid.{uuid.uuid4().hex}"
    try:
        await store.claim(wamid)
        ttl = redis.Redis.from_url(redis_url).ttl(RedisDedupStore.KEY_PREFIX + wamid)
        assert 7 * 24 * 3600 < ttl <= 8 * 24 * 3600
    finally:
        await store.close()


def test_sql_claims_are_rows_in_the_connector_table(sql_store, database_url):
    asyncio.run(sql_store.claim("wamid.row"))
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT message_id FROM whatsapp_processed_messages")).scalars().all() == [
            "wamid.row"
        ]
    engine.dispose()


def test_several_instances_creating_the_tables_at_once_all_start(database_url):
    """Two Rasa instances starting on a fresh database must not crash on CREATE TABLE races."""
    import threading

    from connectors.whatsapp.tables import create_tables, make_engine

    engines = [make_engine(database_url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def start(engine) -> None:  # noqa: ANN001
        barrier.wait()
        try:
            create_tables(engine)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    from sqlalchemy import inspect

    assert "whatsapp_processed_messages" in inspect(engines[0]).get_table_names()
    for engine in engines:
        engine.dispose()
