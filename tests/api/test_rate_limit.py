"""Rate limits: 429 with Retry-After, per API key or per address, in memory and in Redis."""

from __future__ import annotations

import asyncio

import pytest

from tests.api.conftest import assert_problem
from webservice.api.rate_limit import MemoryStore, RedisStore
from webservice.api.settings import Rate


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def hits(store, key: str, rate: Rate, n: int) -> list:
    async def run():
        return [await store.hit(key, rate) for _ in range(n)]

    return asyncio.run(run())


def test_burst_of_the_limit_then_one_per_interval():
    clock, store, rate = Clock(), None, Rate(5, 60)
    store = MemoryStore(clock)
    decisions = hits(store, "a", rate, 6)
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert [d.remaining for d in decisions[:5]] == [4, 3, 2, 1, 0]
    assert decisions[-1].retry_after_s == pytest.approx(12.0)  # one request per 60/5 s
    assert decisions[-1].headers()["Retry-After"] == "12"
    clock.now += 11.9
    assert not hits(store, "a", rate, 1)[0].allowed
    clock.now += 0.2
    assert [d.allowed for d in hits(store, "a", rate, 2)] == [True, False]
    assert hits(store, "b", rate, 1)[0].allowed  # another client has its own budget
    clock.now += 60
    assert [d.allowed for d in hits(store, "a", rate, 6)] == [True] * 5 + [False]  # full budget again


def test_remaining_is_exact_whatever_the_clock_reads():
    """Float rounding of the clock must not cost a client a request (seen at monotonic() = 500.007)."""
    rate = Rate(3, 60)
    for now in (500.007, 500.008, 660.123456789, 1e6 + 0.1):
        store = MemoryStore(lambda now=now: now)
        assert [d.remaining for d in hits(store, "a", rate, 3)] == [2, 1, 0], now


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("60/minute", Rate(60, 60)),
        ("1000/hour", Rate(1000, 3600)),
        ("5/10s", Rate(5, 10)),
        ("2 / day", Rate(2, 86400)),
        ("off", Rate(0, 1)),
    ],
)
def test_rate_settings(text, rate):
    assert Rate.parse(text) == rate


@pytest.mark.parametrize("text", ["sixty", "60", "60/fortnight", "0/minute", "-1/minute"])
def test_bad_rate_settings_are_refused(text):
    with pytest.raises(ValueError, match="API_RATE_LIMIT"):
        Rate.parse(text, "API_RATE_LIMIT")


def _exhaust(client, n: int, **headers):
    return [client.get("/api/v1/categories", headers=headers) for _ in range(n)]


def test_http_429_with_retry_after_per_address(make_client):
    client = make_client(anonymous_rate=Rate(3, 60))
    answers = _exhaust(client, 4)
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[0].headers["ratelimit-limit"] == "3" and answers[0].headers["ratelimit-remaining"] == "2"
    refused = answers[-1]
    assert_problem(refused, 429, "too many requests")
    assert refused.headers["retry-after"] == "20"
    assert_problem(client.get("/api/v1/parts", params={"part": "pads"}), 429)  # every read route shares it


def test_api_key_has_its_own_higher_budget(make_client, new_key):
    client = make_client(anonymous_rate=Rate(2, 60), key_rate=Rate(5, 60))
    secret = new_key("garage", "parts:read")
    assert [r.status_code for r in _exhaust(client, 3)] == [200, 200, 429]
    with_key = _exhaust(client, 6, **{"X-API-Key": secret})
    assert [r.status_code for r in with_key] == [200] * 5 + [429]
    assert with_key[0].headers["ratelimit-limit"] == "5"


def test_limit_off(make_client):
    client = make_client(anonymous_rate=Rate(0, 1))
    assert {r.status_code for r in _exhaust(client, 20)} == {200}
    assert "ratelimit-limit" not in client.get("/api/v1/categories").headers


@pytest.fixture
def clean_redis(redis_url):
    import redis

    r = redis.Redis.from_url(redis_url)
    for key in r.scan_iter(RedisStore.PREFIX + "*"):
        r.delete(key)
    yield redis_url
    for key in r.scan_iter(RedisStore.PREFIX + "*"):
        r.delete(key)
    r.close()


def test_redis_store_is_shared_by_two_api_processes(api_db, clean_redis, tmp_path):
    """Two real uvicorn processes (as behind the balancer) draw on one budget per client."""
    import httpx

    from tests.helpers.servers import PYTHON, ManagedProcess, base_env, free_port

    servers = []
    try:
        for n in (1, 2):
            port = free_port()
            env = {"DATABASE_URL": api_db, "REDIS_URL": clean_redis, "API_RATE_LIMIT": "4/minute",
                   "SHOP_API_PORT": str(port), "TRACKER_DB_URL": "memory"}  # fmt: skip
            servers.append(ManagedProcess(
                name=f"web {n}", args=[PYTHON, "-m", "webservice"], env=base_env(env),
                log_path=tmp_path / f"web{n}.log", ready_url=f"http://127.0.0.1:{port}/readyz", timeout_s=90,
            ).start())  # fmt: skip
        urls = [s.ready_url.replace("/readyz", "/api/v1/categories") for s in servers]
        codes = [httpx.get(urls[i % 2], timeout=10).status_code for i in range(6)]
        assert codes == [200, 200, 200, 200, 429, 429]
        refused = httpx.get(urls[1], timeout=10)
        assert_problem(refused, 429)
        assert 1 <= int(refused.headers["retry-after"]) <= 15
    finally:
        for server in servers:
            server.stop()


def test_redis_gcra_matches_memory(clean_redis):
    store = RedisStore(clean_redis)
    decisions = hits(store, "unit", Rate(3, 30), 4)
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions[:3]] == [2, 1, 0]
    assert 9.0 <= decisions[-1].retry_after_s <= 10.0


def test_redis_down_serves_without_limit(make_client, caplog):
    """A Redis outage must not take the website down: requests pass, the log says why."""
    from tests.helpers.servers import free_port

    client = make_client(anonymous_rate=Rate(1, 60), redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert [r.status_code for r in _exhaust(client, 3)] == [200, 200, 200]
    assert "rate-limit store unreachable" in caplog.text
