"""Settings, output validation, redaction and the usage store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from rephraser.errors import InvalidOutput
from rephraser.privacy import redact
from rephraser.settings import RephraserSettings
from rephraser.usage import (
    REFUSED_BUDGET,
    REFUSED_CUSTOMER,
    REFUSED_GLOBAL,
    Limits,
    UsageStore,
    usage_metadata,
)
from rephraser.validate import validate_rephrasing
from shopkernel.env import SettingsError
from tests.rephraser.conftest import Clock


# --------------------------------------------------------------------------- settings
def test_defaults_with_an_empty_environment():
    s = RephraserSettings.from_env({})
    assert not s.enabled
    assert (s.model, s.timeout, s.rasa_url) == ("gpt-4o-mini", 3.0, "http://localhost:5005")
    assert s.rephrase_replies is False
    assert s.database_url.endswith("var/catalog.db")


def test_environment_is_read_once_into_settings():
    s = RephraserSettings.from_env(
        {
            "OPENAI_API_KEY": " sk-abc ",
            "OPENAI_BASE_URL": "http://llm.local:8000/v1",
            "OPENAI_MODEL": "qwen2.5-7b-instruct",
            "OPENAI_TIMEOUT": "2.5",
            "REPHRASE_RATE_PER_CUSTOMER": "5",
            "REPHRASE_RATE_GLOBAL": "12",
            "REPHRASE_DAILY_TOKEN_BUDGET": "5000",
            "REPHRASE_MIN_CONFIDENCE": "0.6",
            "REPHRASE_REPLIES": "1",
            "RASA_URL": "http://rasa:5005/",
        }
    )
    assert s.enabled and s.api_key == "sk-abc"
    assert (s.base_url, s.model, s.timeout) == ("http://llm.local:8000/v1", "qwen2.5-7b-instruct", 2.5)
    assert (s.rate_per_customer, s.rate_global, s.daily_token_budget) == (5, 12, 5000)
    assert s.min_confidence == 0.6 and s.rephrase_replies
    assert s.rasa_url == "http://rasa:5005"
    assert "sk-abc" not in repr(s)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OPENAI_TIMEOUT", "fast"),
        ("OPENAI_TIMEOUT", "0"),
        ("REPHRASE_RATE_GLOBAL", "-1"),
        ("REPHRASE_DAILY_TOKEN_BUDGET", "1e5"),
        ("REPHRASE_MIN_CONFIDENCE", "70"),
        ("REPHRASE_REPLIES", "maybe"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        RephraserSettings.from_env({name: value})


# --------------------------------------------------------------------------- validation
def test_code_fenced_json_is_accepted():
    content = '```json\n{"rephrased": "Brake pads for Camry 2015"}\n```'
    assert (
        validate_rephrasing(content, "pads camry 2015", max_chars=300, tag="MSG_1")
        == "Brake pads for Camry 2015"
    )


@pytest.mark.parametrize(
    ("content", "source"),
    [
        ('{"rephrased": "see https://evil.example/p"}', "pads"),
        ('{"rephrased": "MSG_1 pads"}', "pads"),
        ('{"rephrased": "pads for 3 cars"}', "pads for my cars"),
        ('{"rephrased": "two sets of pads"}', "pads"),
        ('{"rephrased": "call <phone_2>"}', "call <phone_1>"),
        ('["pads"]', "pads"),
    ],
)
def test_invalid_rephrasings(content, source):
    with pytest.raises(InvalidOutput):
        validate_rephrasing(content, source, max_chars=300, tag="MSG_1")


@pytest.mark.parametrize(
    ("out", "source"),
    [
        ("Do you have part 04465-60320?", "3ndk 04465 60320 ?"),  # separators changed
        ("Part 0446560320", "part 04465-60320 pls"),
        ("Camry ٢٠١٥ brake pads", "كامري 2015 فحمات"),
        ("Filter for Land Cruiser GRJ200", "filter LC grj200"),
    ],
)
def test_customer_figures_may_be_reformatted(out, source):
    content = json.dumps({"rephrased": out})
    assert validate_rephrasing(content, source, max_chars=300, tag="MSG_1") == out


# --------------------------------------------------------------------------- privacy
def test_redaction_round_trip():
    text = "call 0501234567 or +971 4 123 4567, mail a.b@x.ae; part 04465-60320, vin JTDBR32E720123456"
    r = redact(text)
    assert "0501234567" not in r.text and "a.b@x.ae" not in r.text and "4 123 4567" not in r.text
    assert "04465-60320" in r.text and "JTDBR32E720123456" in r.text
    assert r.restore(r.text) == text


# --------------------------------------------------------------------------- usage store
@pytest.fixture
def store(database_url):
    clock = Clock()
    s = UsageStore(
        database_url, Limits(per_customer_per_hour=3, global_per_minute=5, daily_token_budget=1000), clock
    )
    usage_metadata.drop_all(s.engine)  # the PostgreSQL database is shared by the session
    usage_metadata.create_all(s.engine)
    yield s, clock
    usage_metadata.drop_all(s.engine)
    s.dispose()


def test_store_refuses_over_budget_and_counts_pending_reservations(store):
    s, _ = store
    first = s.reserve("a", "rephrase", 600)
    assert first.granted
    # still pending (call in flight): its estimate counts
    assert s.reserve("b", "rephrase", 500).refused == REFUSED_BUDGET
    s.settle(first.id, "ok", 200, 20, 220)
    assert s.reserve("b", "rephrase", 500).granted
    assert s.tokens_today() == 720
    assert s.conversation_tokens("a") == 220


def test_store_rate_windows(store):
    s, clock = store
    assert all(s.reserve("a", "rephrase", 1).granted for _ in range(3))
    assert s.reserve("a", "rephrase", 1).refused == REFUSED_CUSTOMER
    assert s.reserve("b", "rephrase", 1).granted
    assert s.reserve("c", "rephrase", 1).granted
    assert s.reserve("d", "rephrase", 1).refused == REFUSED_GLOBAL
    clock.advance(61)
    assert s.reserve("d", "rephrase", 1).granted
    assert s.reserve("a", "rephrase", 1).refused == REFUSED_CUSTOMER  # hour not over yet
    clock.advance(3600)
    assert s.reserve("a", "rephrase", 1).granted
