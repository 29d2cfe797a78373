"""Fixtures: a fake OpenAI server, a fake Rasa parse endpoint, and a rephraser wired to both."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker

from rephraser.service import FallbackRephraser
from rephraser.settings import RephraserSettings
from tests.fakes.openai_server import FakeOpenAIServer
from tests.rephraser.fake_rasa import FakeRasaParse

API_KEY = "sk-test-rephraser-0123456789"
CUSTOMER = "971501234567"


class Clock:
    """A settable clock so rate-limit windows can pass without sleeping."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasaParse]:
    with FakeRasaParse() as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def usage_db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'usage.db'}"


@pytest.fixture
def make_settings(fake_openai, fake_rasa, usage_db_url):
    def make(**overrides: Any) -> RephraserSettings:
        values: dict[str, Any] = {
            "api_key": API_KEY,
            "base_url": fake_openai.base_url,
            "timeout": 2.0,
            "rasa_url": fake_rasa.url,
            "database_url": usage_db_url,
        }
        values.update(overrides)
        return RephraserSettings(**values)

    return make


@pytest.fixture
async def make_rephraser(make_settings, clock):
    built: list[FallbackRephraser] = []

    def make(**overrides: Any) -> FallbackRephraser:
        rephraser = FallbackRephraser(make_settings(**overrides), clock=clock)
        built.append(rephraser)
        return rephraser

    yield make
    for rephraser in built:
        await rephraser.aclose()


def fallback_tracker(
    text: str,
    *,
    sender_id: str = CUSTOMER,
    intent: str = "nlu_fallback",
    confidence: float = 0.42,
    metadata: dict | None = None,
    entities: list[dict] | None = None,
    slots: dict | None = None,
) -> Tracker:
    """A tracker as the action server receives it right after a low-confidence message."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "message_id": "wamid.HBgMOTcxNTAxMjM0NTY3FQIAEhgg",
        "metadata": metadata if metadata is not None else {"profile_name": "Ahmed Khalil"},
    }
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest, "input_channel": "whatsapp"},
    ]
    return Tracker(
        sender_id,
        {"language": "en", **(slots or {})},
        latest,
        events,
        False,
        None,
        {},
        "action_listen",
    )
