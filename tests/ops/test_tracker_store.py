"""The tracker store keeps a conversation's saved tracker for its next message, and only when the
database still holds exactly what it wrote: SQLite and PostgreSQL, two Rasa processes, erasure."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from sqlalchemy.engine import make_url

from ops.tracker_store import RetryingSQLTrackerStore
from tests.helpers.servers import ROOT

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def _store(url: str, domain: Domain, keep: int = 100) -> RetryingSQLTrackerStore:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return RetryingSQLTrackerStore(
            domain=domain, dialect="sqlite", db=parsed.database, keep_trackers=keep
        )
    return RetryingSQLTrackerStore(
        domain=domain, dialect="postgresql", host=parsed.host, port=parsed.port, db=parsed.database,
        username=parsed.username, password=parsed.password, keep_trackers=keep,
    )  # fmt: skip


def _says(tracker, text: str, intent: str = "inform") -> None:  # noqa: ANN001
    tracker.update(UserUttered(text, {"name": intent, "confidence": 1.0}))


async def _started(store: RetryingSQLTrackerStore, sender: str):  # noqa: ANN202
    """A conversation as Rasa starts one: session start, then the first message."""
    tracker = await store.get_or_create_tracker(sender)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(event)
    _says(tracker, "need brake pads", "request_part")
    await store.save(tracker)
    return tracker


async def _kept(store: RetryingSQLTrackerStore, sender: str) -> None:
    """A conversation past its first turn, whose tracker the store now keeps."""
    await _started(store, sender)
    await store.save(await store.retrieve(sender))
    assert sender in store._kept


def _events_in_db(url: str, sender: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        query = sa.text("SELECT type_name FROM events WHERE sender_id = :s ORDER BY id")
        names = [row[0] for row in conn.execute(query, {"s": sender})]
    engine.dispose()
    return names


def test_the_next_message_gets_the_saved_tracker_and_the_database_gets_every_event(database_url, domain):
    async def conversation():
        store = _store(database_url, domain)
        first = await _started(store, "+971500000001")
        second = await store.retrieve("+971500000001")
        assert second is not first  # a session began in that turn: read back from the database
        second.update(SlotSet("make", "Toyota"))
        _says(second, "land cruiser 2015")
        await store.save(second)
        third = await store.retrieve("+971500000001")
        assert third is second  # kept, not rebuilt
        third.update(SlotSet("model", "Land Cruiser"))
        await store.save(third)
        fresh = await _store(database_url, domain, keep=0).retrieve("+971500000001")
        kept = await store.retrieve("+971500000001")
        assert [e.as_dict() for e in fresh.events] == [e.as_dict() for e in kept.events]
        return fresh

    fresh = asyncio.run(conversation())
    assert fresh.get_slot("make") == "Toyota" and fresh.get_slot("model") == "Land Cruiser"
    saved = _events_in_db(database_url, "+971500000001")
    assert saved.count("user") == 2 and saved.count("slot") == 2 and saved[-1] == "slot"  # each once


def test_a_write_by_another_rasa_process_is_never_hidden(database_url, domain):
    async def conversation():
        mine, theirs = _store(database_url, domain), _store(database_url, domain)
        await _kept(mine, "+971500000002")
        elsewhere = await theirs.retrieve("+971500000002")
        elsewhere.update(SlotSet("make", "Nissan"))
        await theirs.save(elsewhere)
        return await mine.retrieve("+971500000002")

    tracker = asyncio.run(conversation())
    assert tracker.get_slot("make") == "Nissan"


def test_a_turn_that_failed_before_saving_is_not_remembered(database_url, domain):
    async def conversation():
        store = _store(database_url, domain)
        await _kept(store, "+971500000003")
        half_done = await store.retrieve("+971500000003")
        half_done.update(SlotSet("make", "Lexus"))  # the turn dies here: never saved
        return await store.retrieve("+971500000003")

    assert asyncio.run(conversation()).get_slot("make") is None


def test_an_erased_conversation_is_not_brought_back(database_url, domain):
    async def conversation():
        store = _store(database_url, domain)
        await _kept(store, "+971500000004")
        engine = sa.create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM events WHERE sender_id = :s"), {"s": "+971500000004"})
        engine.dispose()
        return await store.retrieve("+971500000004")

    assert asyncio.run(conversation()) is None


def test_sqlite_conversations_reuse_open_connections(tmp_path, domain):
    """Rasa would open a new SQLite connection for every read and save (NullPool); the store
    keeps a few open, and what it saves is still what every other reader of the file sees."""
    url = f"sqlite:///{tmp_path / 'trackers.db'}"
    store = _store(url, domain, keep=0)  # keep=0: every message reads the database again
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))

    async def chat() -> None:
        for n in range(5):
            sender = f"97150000000{n}"
            await _started(store, sender)
            for text in ("toyota", "camry", "2015"):
                tracker = await store.retrieve(sender)
                _says(tracker, text)
                await store.save(tracker)

    asyncio.run(chat())
    assert len(opened) == 1  # 5 conversations, 40 reads and saves: one connection
    assert _events_in_db(url, "971500000004")[-3:] == ["user", "user", "user"]
