"""Fixtures for the review and analytics tests: recorded trackers, generated tracker stores."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from insights.conversation import Conversation, build_conversations, parse_event
from insights.store import EVENTS, TrackerStore

RECORDED = Path(__file__).parent / "recorded"
ROW_KEYS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
LATER = 10 * 24 * 3600.0  # "now" for the markers: long after the recordings


def recorded_rows(name: str) -> list[dict]:
    """The events-table rows of one conversation recorded by record_conversations.py."""
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def recorded(name: str) -> Conversation:
    rows = recorded_rows(name)
    [conversation] = build_conversations(rows[0]["sender_id"], [parse_event(r["data"]) for r in rows])
    return conversation


def all_recorded_rows() -> list[dict]:
    return [row for path in sorted(RECORDED.glob("*.json")) for row in recorded_rows(path.stem)]


def recent_rows(ended_s_ago: float = 3600) -> list[dict]:
    """The recorded rows moved in time so the conversations ended an hour ago (stable markers)."""
    rows = all_recorded_rows()
    shift = time.time() - ended_s_ago - max(r["timestamp"] for r in rows)
    moved = []
    for row in rows:
        data = json.loads(row["data"])
        data["timestamp"] += shift
        moved.append({**{k: row[k] for k in ROW_KEYS}, "timestamp": row["timestamp"] + shift,
                      "data": json.dumps(data, ensure_ascii=False)})  # fmt: skip
    return moved


@pytest.fixture
def now_after() -> float:
    """A moment long after every recorded conversation ended."""
    return max(r["timestamp"] for r in all_recorded_rows()) + LATER


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def tracker_db_url(request, tmp_path_factory) -> Iterator[str]:
    """An empty tracker-store database, once per backend (the same tests run on both)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('tracker') / 'tracker.db'}"
        return
    url = request.getfixturevalue("postgres_server_url")
    engine = sa.create_engine(url, future=True)
    EVENTS.drop(engine, checkfirst=True)
    engine.dispose()
    yield url


@pytest.fixture(scope="module")
def tracker_store_factory(tracker_db_url) -> Iterator[Callable[[list[dict]], TrackerStore]]:
    """Fill the ``events`` table (Rasa's SQLTrackerStore layout) with rows; a reader on it."""
    stores: list[TrackerStore] = []

    def factory(rows: list[dict]) -> TrackerStore:
        engine = sa.create_engine(tracker_db_url, future=True)
        EVENTS.drop(engine, checkfirst=True)
        EVENTS.create(engine)
        with engine.begin() as conn:
            conn.execute(EVENTS.insert(), [{k: r[k] for k in ROW_KEYS} for r in rows])
        store = TrackerStore(engine)
        stores.append(store)
        return store

    yield factory
    for store in stores:
        store.dispose()
