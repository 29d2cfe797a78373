"""Search pages are kept API_SEARCH_CACHE_SECONDS: the same question is not computed twice."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from catalog.schema import Part
from shopkernel.db import make_engine, make_session_factory
from webservice.api.search_cache import MAX_PAGES, SearchCache

PADS = {"make": "Toyota", "model": "Land Cruiser", "year": 2015, "part": "brake pads"}


def _set_stock(database_url: str, sku: str, stock: int) -> None:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        session.execute(update(Part).where(Part.sku == sku).values(stock=stock))
        session.commit()
    engine.dispose()


def _stock(response, sku: str) -> int:
    assert response.status_code == 200, response.text
    return next(p["stock"] for p in response.json()["items"] if p["sku"] == sku)


def test_a_repeated_search_is_served_from_the_cache_until_it_expires(make_client, api_db):
    client = make_client(search_cache_s=30)
    assert _stock(client.get("/api/v1/parts", params=PADS), "BP-5") == 1
    _set_stock(api_db, "BP-5", 7)
    assert _stock(client.get("/api/v1/parts", params=PADS), "BP-5") == 1  # the kept page
    assert _stock(client.get("/api/v1/parts", params={**PADS, "limit": 3}), "BP-5") == 7  # another page


def test_with_the_cache_off_every_search_reads_the_catalog(make_client, api_db):
    client = make_client(search_cache_s=0)
    assert _stock(client.get("/api/v1/parts", params=PADS), "BP-5") == 1
    _set_stock(api_db, "BP-5", 7)
    assert _stock(client.get("/api/v1/parts", params=PADS), "BP-5") == 7


def test_a_refused_search_is_not_kept(make_client):
    client = make_client(search_cache_s=30)
    for _ in range(2):
        r = client.get("/api/v1/parts", params={"q": "x" * 5, "cursor": "not-a-cursor"})
        assert r.status_code == 422


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pages_expire_and_the_least_recently_used_go_first():
    clock, calls = Clock(), []
    cache = SearchCache(ttl_s=10, threads=1, clock=clock)

    def compute(key: str):
        def run() -> str:
            calls.append(key)
            return key.upper()

        return run

    async def scenario() -> None:
        assert await cache.page("a", compute("a")) == "A"
        assert await cache.page("a", compute("a")) == "A"
        clock.now += 10.5
        assert await cache.page("a", compute("a")) == "A"
        for n in range(MAX_PAGES):
            await cache.page(f"k{n}", compute(f"k{n}"))
        await cache.page("a", compute("a"))  # pushed out by MAX_PAGES newer pages

    asyncio.run(scenario())
    assert calls.count("a") == 3
