"""The chassis lookup client against a local fake vPIC server over real HTTP."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone

import pytest

from catalog.chassis_lookup import (
    ChassisLookupClient,
    InvalidVinError,
    LookupSettings,
    merge,
    parse_decode_vin_values,
)
from catalog.schema import Make, Model, VinLookup
from catalog.vehicle_ids import decode
from shopkernel.db import session_scope
from tests.fakes.vpic import FakeVpicServer

HONDA = "1HGCM82633A004352"
LAND_CRUISER = "JTMHY7AJ1D4012345"
UNKNOWN = "JTMHV05J504123456"


class FakeClock:
    """Monotonic time the test moves by hand (the breaker's cool-down)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def vpic():
    with FakeVpicServer(delay=1.0) as fake:
        yield fake


def _client(fake: FakeVpicServer, session_factory=None, clock=time.monotonic, **overrides):
    settings = LookupSettings(base_url=fake.base_url, retry_backoff_s=0.01, **overrides)
    return ChassisLookupClient(settings, session_factory, clock=clock)


# --------------------------------------------------------------------------- answers
def test_success_gives_make_model_year_engine_in_catalog_terms(vpic):
    client = _client(vpic)
    result = client.lookup(HONDA)
    assert (result.make, result.model, result.year) == ("Honda", "Accord", 2003)
    assert result.engine == "J30A4 3.0L 6 cyl"
    assert result.clean and not result.from_cache
    assert vpic.paths == [f"/api/vehicles/DecodeVinValues/{HONDA}?format=json"]
    client.close()


def test_model_year_is_sent_when_known(vpic):
    client = _client(vpic)
    client.lookup(HONDA, model_year=2003)
    assert vpic.paths[0].endswith("?format=json&modelyear=2003")
    client.close()


def test_vin_the_provider_does_not_know_is_an_answer_not_a_failure(vpic):
    client = _client(vpic, breaker_failures=1)
    result = client.lookup(UNKNOWN)
    assert result is not None and not result.usable
    assert result.error_codes == (7,)
    assert client.breaker.state == "closed"
    client.close()


def test_slow_provider_times_out_fast_and_is_not_retried(vpic):
    vpic.script("slow")
    client = _client(vpic, timeout_s=0.3, retries=2)
    started = time.monotonic()
    assert client.lookup(HONDA) is None
    assert time.monotonic() - started < 0.9  # the fake sleeps 1 s; the customer does not wait for it
    assert vpic.count == 1 and client.stats.failures == 1
    client.close()


def test_5xx_is_retried_then_succeeds(vpic):
    vpic.script("503")
    client = _client(vpic, retries=1)
    assert client.lookup(HONDA).model == "Accord"
    assert vpic.count == 2 and client.stats.failures == 0
    client.close()


def test_5xx_every_time_gives_none_after_the_retries(vpic):
    vpic.script("500", "500", "500")
    client = _client(vpic, retries=1)
    assert client.lookup(HONDA) is None
    assert vpic.count == 2
    client.close()


@pytest.mark.parametrize("behaviour", ["garbage", "html", "no_results", "429"])
def test_unusable_answers_give_none_without_retrying(vpic, behaviour):
    vpic.script(behaviour)
    client = _client(vpic, retries=2)
    assert client.lookup(HONDA) is None
    assert vpic.count == 1
    assert client.stats.failures == 1
    client.close()


def test_connection_refused_gives_none():
    with FakeVpicServer() as fake:
        url = fake.base_url
    client = ChassisLookupClient(LookupSettings(base_url=url, retries=1, retry_backoff_s=0.01))
    assert client.lookup(HONDA) is None
    assert client.stats.requests == 2
    client.close()


def test_disabled_by_default_so_nothing_leaves_the_machine():
    settings = LookupSettings.from_env({})
    assert not settings.enabled
    client = ChassisLookupClient(settings)
    assert client.lookup(HONDA) is None
    vid = decode(HONDA)
    assert client.enrich(vid) is vid
    assert client.stats.requests == 0


def test_bad_vin_is_refused_before_any_request(vpic):
    client = _client(vpic)
    for bad in ("1HGCM82633A00435", "1HGCM82633AOO4352", "", None):
        with pytest.raises(InvalidVinError):
            client.lookup(bad)  # type: ignore[arg-type]
    assert vpic.count == 0


def test_api_key_is_sent_as_a_header_and_never_logged(vpic, caplog):
    vpic.script("500", "500")
    client = _client(vpic, api_key="secret-key-123", api_key_header="X-Provider-Key")
    with caplog.at_level(logging.DEBUG):
        client.lookup(HONDA)
    assert vpic.headers[0].get("X-Provider-Key") == "secret-key-123"
    assert "secret-key-123" not in caplog.text  # not by us, not by httpx
    ours = " ".join(r.getMessage() for r in caplog.records if r.name == "catalog.chassis_lookup")
    assert HONDA not in ours and HONDA[:11] in ours  # the serial is masked
    assert "secret-key-123" not in repr(client.settings)
    client.close()


# --------------------------------------------------------------------------- circuit breaker
def test_breaker_opens_after_n_failures_and_closes_after_the_cooldown(vpic):
    clock = FakeClock()
    client = _client(vpic, retries=0, breaker_failures=2, breaker_cooldown_s=30, clock=clock)
    vpic.script("500", "500")
    assert client.lookup(HONDA) is None
    assert client.lookup(HONDA) is None
    assert client.breaker.state == "open"
    started = time.monotonic()
    for _ in range(5):
        assert client.lookup(HONDA) is None  # no request reaches the provider while open
    assert time.monotonic() - started < 0.1
    assert vpic.count == 2 and client.stats.skipped_open == 5
    clock.now += 31
    assert client.lookup(HONDA).model == "Accord"  # the trial request succeeds
    assert client.breaker.state == "closed" and vpic.count == 3
    client.close()


def test_failed_trial_reopens_the_breaker(vpic):
    clock = FakeClock()
    client = _client(vpic, retries=0, breaker_failures=1, breaker_cooldown_s=30, clock=clock)
    vpic.script("500", "500")
    client.lookup(HONDA)
    clock.now += 31
    assert client.lookup(HONDA) is None  # trial fails
    assert client.breaker.state == "open"
    client.lookup(HONDA)
    assert vpic.count == 2
    client.close()


# --------------------------------------------------------------------------- cache (SQLite and PostgreSQL)
def test_second_lookup_is_served_from_the_database(vpic, session_factory):
    client = _client(vpic, session_factory)
    first = client.lookup(HONDA)
    second = client.lookup(HONDA)
    assert vpic.count == 1
    assert second.from_cache
    assert (second.make, second.model, second.year) == (first.make, first.model, first.year)
    # a new process (new client) still finds it
    assert _client(vpic, session_factory).lookup(HONDA).from_cache
    assert vpic.count == 1
    with session_factory() as session:
        row = session.get(VinLookup, HONDA)
        assert row.provider == "vpic" and row.result["Model"] == "Accord"
    client.close()


def test_no_data_answers_are_cached_too(vpic, session_factory):
    client = _client(vpic, session_factory)
    client.lookup(UNKNOWN)
    client.lookup(UNKNOWN)
    assert vpic.count == 1
    client.close()


def test_stale_entry_is_refreshed_and_served_when_the_provider_is_down(vpic, session_factory):
    with session_scope(session_factory) as session:
        old = {"Make": "HONDA", "Model": "Accord", "ModelYear": "2003", "ErrorCode": "0"}
        session.add(VinLookup(vin=HONDA, provider="vpic", result=old,
                              fetched_at=datetime.now(timezone.utc) - timedelta(days=400)))
    client = _client(vpic, session_factory, cache_days=180, retries=0)
    vpic.script("500")
    stale = client.lookup(HONDA)
    assert stale.from_cache and stale.model == "Accord"  # provider down: old answer beats none
    assert vpic.count == 1
    fresh = client.lookup(HONDA)  # provider back: refreshed
    assert not fresh.from_cache and vpic.count == 2
    with session_factory() as session:
        fetched = session.get(VinLookup, HONDA).fetched_at
    fetched = fetched if fetched.tzinfo else fetched.replace(tzinfo=timezone.utc)
    assert datetime.now(timezone.utc) - fetched < timedelta(minutes=5)
    client.close()


def test_other_provider_entries_are_not_reused(vpic, session_factory):
    with session_scope(session_factory) as session:
        session.add(VinLookup(vin=HONDA, provider="carsxe", result={"Make": "HONDA", "Model": "Civic"}))
    client = _client(vpic, session_factory)
    assert client.lookup(HONDA).model == "Accord"
    assert vpic.count == 1
    client.close()


# --------------------------------------------------------------------------- merge with the offline decode
def _seed_toyota(session_factory) -> None:
    with session_scope(session_factory) as session:
        toyota = Make(name="Toyota")
        toyota.models = [Model(name="Land Cruiser"), Model(name="Land Cruiser Prado")]
        session.add(toyota)


def test_enrich_fills_model_and_year_in_catalog_spelling(vpic, session_factory):
    _seed_toyota(session_factory)
    client = _client(vpic, session_factory)
    offline = decode(LAND_CRUISER)
    assert offline.make == "Toyota" and offline.year is None
    vid = client.enrich(offline)
    assert (vid.make, vid.model, vid.year) == ("Toyota", "Land Cruiser", 2013)  # vPIC says "LANDCRUISER"
    assert vid.year_candidates == (2013,)
    assert vid.engine == "3UR-FE 5.7L 8 cyl"
    assert not any(w.startswith("model year") for w in vid.warnings)
    client.close()


def test_enrich_keeps_the_offline_make_when_the_lookup_knows_nothing(vpic):
    client = _client(vpic)
    vid = client.enrich(decode(UNKNOWN))
    assert vid.make == "Toyota" and vid.model is None and vid.year is None
    client.close()


def test_enrich_leaves_frames_and_invalid_vins_alone(vpic):
    client = _client(vpic)
    frame = decode("GRJ200-1234567")
    broken = decode("1HGCM82643A004352")
    assert client.enrich(frame) is frame and client.enrich(broken) is broken
    assert vpic.count == 0
    client.close()


def test_merge_without_catalog_models_tidies_the_providers_capitals():
    result = parse_decode_vin_values(
        '{"Results": [{"Make": "TOYOTA", "Model": "LAND CRUISER", "ModelYear": "2013", "ErrorCode": "0"}]}',
        LAND_CRUISER,
    )
    assert merge(decode(LAND_CRUISER), result).model == "Land Cruiser"


# --------------------------------------------------------------------------- async
async def test_async_lookup_uses_the_same_cache_and_breaker(vpic, session_factory):
    client = _client(vpic, session_factory)
    first = await client.alookup(HONDA)
    second = await client.alookup(HONDA)
    assert first.model == "Accord" and second.from_cache
    assert vpic.count == 1
    await client.aclose()


async def test_async_timeout_and_retry(vpic):
    vpic.script("500", "slow")
    client = _client(vpic, timeout_s=0.3, retries=1)
    assert await client.alookup(HONDA) is None  # 500, retried, then too slow
    assert vpic.count == 2
    await client.aclose()


async def test_async_enrich(vpic, session_factory):
    _seed_toyota(session_factory)
    client = _client(vpic, session_factory)
    vid = await client.aenrich(decode(LAND_CRUISER))
    assert (vid.model, vid.year) == ("Land Cruiser", 2013)
    await client.aclose()


# --------------------------------------------------------------------------- settings
def test_settings_from_env():
    settings = LookupSettings.from_env({
        "CHASSIS_LOOKUP_URL": "https://vpic.nhtsa.dot.gov/",
        "CHASSIS_LOOKUP_TIMEOUT": "1.5",
        "CHASSIS_LOOKUP_RETRIES": "2",
        "CHASSIS_LOOKUP_BREAKER_FAILURES": "4",
        "CHASSIS_LOOKUP_BREAKER_COOLDOWN": "120",
        "CHASSIS_LOOKUP_CACHE_DAYS": "30",
    })
    assert settings.enabled and settings.timeout_s == 1.5 and settings.retries == 2
    assert settings.breaker_failures == 4 and settings.breaker_cooldown_s == 120 and settings.cache_days == 30
    assert settings.url_for(HONDA) == f"https://vpic.nhtsa.dot.gov/api/vehicles/DecodeVinValues/{HONDA}?format=json"


def test_settings_url_template_for_other_providers():
    settings = LookupSettings(base_url="https://api.example.com/v2/decode/{vin}?format=json&region=gcc")
    assert settings.url_for(HONDA, 2003) == (
        f"https://api.example.com/v2/decode/{HONDA}?format=json&region=gcc&modelyear=2003"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [("CHASSIS_LOOKUP_TIMEOUT", "fast"), ("CHASSIS_LOOKUP_RETRIES", "-1"),
     ("CHASSIS_LOOKUP_URL", "vpic.nhtsa.dot.gov")],
)
def test_bad_settings_name_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        LookupSettings.from_env({"CHASSIS_LOOKUP_URL": "http://x", **{name: value}})
