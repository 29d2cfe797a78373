"""The review reads what Rasa's own SQLTrackerStore writes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from insights.conversation import parse_event
from insights.markers import review
from insights.store import TrackerStore, TrackerStoreError, tracker_url
from tests.insights.conftest import RECORDED, recorded, recorded_rows

ROOT = Path(__file__).resolve().parents[2]


def save_with_rasa(url: str, names: list[str]) -> None:
    """Replay recorded conversations into a tracker store through Rasa's SQLTrackerStore."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.load(str(ROOT / "domain.yml"))
    parsed = make_url(url)
    store = SQLTrackerStore(
        domain=domain,
        dialect=parsed.get_backend_name(),
        host=parsed.host,
        port=parsed.port,
        db=parsed.database,
        username=parsed.username,
        password=parsed.password,
    )
    for name in names:
        rows = recorded_rows(name)
        events = [parse_event(r["data"]) for r in rows]
        tracker = DialogueStateTracker.from_dict(rows[0]["sender_id"], events, domain.slots)
        asyncio.run(store.save(tracker))
    store.engine.dispose()


def test_conversations_written_by_rasa_read_back_with_the_same_markers(tracker_db_url, now_after):
    names = sorted(p.stem for p in RECORDED.glob("*.json"))
    save_with_rasa(tracker_db_url, names)
    store = TrackerStore.from_url(tracker_db_url)
    try:
        read = {c.key: c for c in store.conversations()}
        assert len(read) == len(names)
        for name in names:
            expected = recorded(name)
            got = read[expected.key]
            assert [(t.text, t.intent, t.actions) for t in got.turns] == [
                (t.text, t.intent, t.actions) for t in expected.turns
            ]
            assert review(got, now=now_after).flags == review(expected, now=now_after).flags
        one = store.conversation("971500000110:1")
        assert one is not None and [t.text for t in one.turns][2] == "the red one"
        assert store.conversation("971500000110:2") is None and store.conversation("nonsense") is None
        first = min(c.started_at for c in read.values())
        assert len(store.conversations(since=first + 3600)) == 0
    finally:
        store.dispose()


def test_relative_sqlite_path_is_the_projects_and_memory_is_refused(tmp_path):
    assert tracker_url("sqlite:///var/tracker.db", root=tmp_path) == f"sqlite:///{tmp_path}/var/tracker.db"
    with pytest.raises(TrackerStoreError, match="in-memory"):
        tracker_url("memory")
    with pytest.raises(TrackerStoreError, match="sqlite or postgresql"):
        tracker_url("mysql://x/y")
    with pytest.raises(TrackerStoreError, match="has the assistant run yet"):
        TrackerStore.from_url(f"sqlite:///{tmp_path}/absent.db")


def test_unreachable_database_is_a_clear_error_without_the_password():
    store = TrackerStore.from_url("postgresql://rasa:s3cret@127.0.0.1:1/conversations")
    with pytest.raises(TrackerStoreError) as caught:
        store.conversations()
    assert "cannot read the tracker store" in str(caught.value) and "s3cret" not in str(caught.value)
    store.dispose()
