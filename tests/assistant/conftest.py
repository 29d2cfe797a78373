"""Fixtures for the assistant's action tests: a real sample catalog and real rasa-sdk trackers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import ActionRuntime, build_runtime, set_runtime
from actions.settings import AssistantSettings
from catalog.settings import Settings
from shopkernel.paths import PROJECT_ROOT
from tests.helpers.servers import build_sample_catalog

SAMPLE_ROWS = 3000
# A vague message without a part or a car (not in the training data): DIET reads it as `unclear`
# (data/nlu/unclear.yml) and IntentRules sends it to nlu_fallback. test_rephrase_end_to_end.py
# checks that it still does after each retraining.
UNCLEAR_MESSAGE = "it does a funny noise at the signal, the man said look at it"


@pytest.fixture(scope="session")
def catalog_url(tmp_path_factory) -> str:
    """A SQLite catalog filled by the project's sample generator and importer (built once)."""
    return build_sample_catalog(tmp_path_factory.mktemp("catalog") / "catalog.db", rows=SAMPLE_ROWS)


@pytest.fixture
def runtime(catalog_url: str, tmp_path: Path) -> Iterator[ActionRuntime]:
    """The action server's runtime on the sample catalog, with a spool in a temp folder."""
    settings = AssistantSettings(
        catalog=Settings(database_url=catalog_url),
        spool_path=tmp_path / "spool" / "leads.jsonl",
        store_info_path=PROJECT_ROOT / "config" / "store.yml",
    )
    rt = build_runtime(settings)
    set_runtime(rt)
    yield rt
    set_runtime(None)


@pytest.fixture
def runtime_factory(catalog_url: str, tmp_path: Path):
    """Build (without installing) a runtime on the working sample catalog."""
    built: list[ActionRuntime] = []

    def factory() -> ActionRuntime:
        rt = build_runtime(AssistantSettings(catalog=Settings(database_url=catalog_url),
                                             spool_path=tmp_path / "other-spool.jsonl"))  # fmt: skip
        built.append(rt)
        return rt

    yield factory
    for rt in built:
        rt.engine.dispose()


@pytest.fixture
def broken_runtime(tmp_path: Path) -> Iterator[ActionRuntime]:
    """A runtime whose database cannot be opened (the catalog is down)."""
    settings = AssistantSettings(
        catalog=Settings(database_url=f"sqlite:///file:{tmp_path}/absent.db?mode=ro&uri=true"),
        spool_path=tmp_path / "spool" / "leads.jsonl",
    )
    rt = build_runtime(settings)
    set_runtime(rt)
    yield rt
    set_runtime(None)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    text: str,
    intent: str = "inform",
    entities: list[dict] | None = None,
    slots: dict[str, Any] | None = None,
    sender: str = "971500000001",
    metadata: dict | None = None,
    active_loop: str | None = "part_form",
    input_channel: str | None = "rest",
    events_after: list[dict] | None = None,
    activating: bool = False,
) -> Tracker:
    """A tracker as the Rasa server sends it to the action server after one user message.

    ``events_after``: events of this turn after the user message (e.g. a bot reply the form's
    validation already sent, as Rasa passes them to ``action_ask_<slot>``). ``activating``: the
    tracker ``validate_part_form`` gets when this message starts the form (its active loop is
    already set).
    """
    all_slots = {
        "make": None, "model": None, "year": None, "part": None, "vin": None, "part_number": None,
        "language": "en", "search_results": None, "suggestion": None, "requested_slot": None,
        "frame_number": None, "chassis_pending": None, "vehicle_offer": None, "vin_retry": None,
    }  # fmt: skip
    all_slots.update(slots or {})
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
        "metadata": metadata or {},
    }
    events = [{"event": "active_loop", "name": active_loop}] if active_loop else []  # form already running
    events += [{"event": "user", "text": text, "parse_data": latest, "metadata": metadata or {},
                "input_channel": input_channel}]  # fmt: skip
    if activating:  # Rasa activates the form on a copy of the tracker, then validates
        events.append({"event": "active_loop", "name": "part_form"})
    events += events_after or []
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "part_form"} if activating else ({"name": active_loop} if active_loop else {}),
        latest_action_name="action_listen",
    )


def slot_events(events: list[dict]) -> dict[str, Any]:
    """The last value each slot was set to by a list of events."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("response") for m in dispatcher.messages]


def bot_event(response: str) -> dict:
    """A bot reply as it appears in the tracker's events (Rasa adds the response name as metadata)."""
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response}}
