"""The live feed and the transcript, on a tracker store written by Rasa's own SQLTrackerStore.

Runs on SQLite and on PostgreSQL: Rasa writes events exactly as the server does; the web service
reads them back as the console shows them.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from webservice.console.conversations.feed import GapAwareCursor, LiveFeed, stream
from webservice.console.conversations.tracker_events import (
    TrackerEvent,
    TrackerEventReader,
    TrackerStoreUnsupported,
    tracker_engine,
)
from webservice.console.conversations.transcript_bridge import entry_from_event

OMAR, HUDA = "971501112233", "971505556677"


def _store(url: str) -> SQLTrackerStore:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SQLTrackerStore(Domain.empty(), dialect="sqlite", db=parsed.database)
    return SQLTrackerStore(
        Domain.empty(),
        dialect="postgresql",
        host=parsed.host,
        port=parsed.port or 5432,
        db=parsed.database,
        username=parsed.username,
        password=parsed.password,
    )


@pytest.fixture
def store(database_url):
    store = _store(database_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def reader(database_url, store):
    engine = tracker_engine(database_url)
    yield TrackerEventReader(engine)
    engine.dispose()


async def _append(store: SQLTrackerStore, sender: str, *events) -> None:
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, [])
    for event in events:
        tracker.update(event)
    await store.save(tracker)


def _user(text: str, **metadata) -> UserUttered:
    return UserUttered(text, intent={"name": "x", "confidence": 1.0}, metadata=metadata or None)


async def test_a_customer_message_reaches_the_open_page_within_two_seconds(store, reader):
    await _append(store, OMAR, _user("hi"))
    feed = LiveFeed(reader, interval=0.1)
    await feed.start()
    omar_page, huda_page, queue_page = feed.subscribe(OMAR), feed.subscribe(HUDA), feed.subscribe(None)
    try:
        started = time.monotonic()
        await _append(store, OMAR, _user("ابي فحمات لاندكروزر 2015"))
        event = await omar_page.next(timeout=2.0)
        assert event is not None and time.monotonic() - started < 2.0
        assert event.sender_id == OMAR and event.data["text"] == "ابي فحمات لاندكروزر 2015"
        assert (await queue_page.next(timeout=2.0)).row_id == event.row_id
        assert await huda_page.next(timeout=0.5) is None  # another customer's page hears nothing
        assert await omar_page.next(timeout=0.5) is None  # "hi" was history, not news
    finally:
        await feed.stop()


async def test_a_reconnecting_page_gets_what_it_missed_once(store, reader):
    await _append(store, OMAR, _user("first"))
    [first] = reader.conversation(OMAR)
    await _append(store, OMAR, _user("second"), _user("third"))
    feed = LiveFeed(reader, interval=0.1)
    await feed.start()
    page = feed.subscribe(OMAR)
    try:
        await page.replay(after_id=first.row_id)  # the browser's Last-Event-ID
        await _append(store, OMAR, _user("fourth"))
        got = []
        async for event in stream(page, keepalive=1.0):
            if event is None:
                break
            got.append(event.data["text"])
        assert got == ["second", "third", "fourth"]
    finally:
        await feed.stop()
    assert page not in feed.subscriptions  # closed when the page went away


async def test_listeners_see_every_new_event(store, reader):
    seen: list[str] = []
    feed = LiveFeed(reader, interval=0.1)
    feed.add_listener(lambda events: seen.extend(e.type_name for e in events))
    await feed.start()
    try:
        await _append(
            store, HUDA, _user("agent please"), ActionExecuted("action_handoff"), ConversationPaused()
        )
        for _ in range(30):
            if "pause" in seen:
                break
            await asyncio.sleep(0.1)
        assert seen[-3:] == ["user", "action", "pause"]
    finally:
        await feed.stop()


async def test_the_customers_last_message_time_starts_the_window(store, reader):
    assert reader.last_customer_message_at(OMAR) is None
    await _append(
        store,
        OMAR,
        UserUttered("hi", timestamp=1_700_000_000.0),
        BotUttered("Hello!", timestamp=1_700_000_050.0),
    )
    assert reader.last_customer_message_at(OMAR) == 1_700_000_000.0
    await _append(store, HUDA, UserUttered("salam", timestamp=1_700_000_100.0))
    latest = reader.last_customer_messages([OMAR, HUDA, "nobody"])
    assert {k: v.data["text"] for k, v in latest.items()} == {OMAR: "hi", HUDA: "salam"}


async def test_transcript_shows_taps_photos_voice_staff_and_handoff(store, reader):
    list_message = {
        "type": "list",
        "body": {"text": "3 parts fit your Land Cruiser 2015"},
        "action": {
            "button": "View parts",
            "sections": [{"rows": [{"id": '/choose_part{"sku":"TOY-BP-0001"}', "title": "1. Toyota Genuine",
                                    "description": "AED 385 · ✅ 12 · 04465-60320"}]}],
        },
    }  # fmt: skip
    await _append(
        store,
        OMAR,
        UserUttered("ابي فحمات", metadata={"profile_name": "عمر"}),
        BotUttered("Here you go", data={"custom": {"whatsapp": list_message}}),
        UserUttered('/choose_part{"sku":"TOY-BP-0001"}', metadata={"reply_title": "1. Toyota Genuine"}),
        UserUttered(
            '/chassis_photo{"vin":"JTMHV05J604123456"}',
            metadata={"media": {"kind": "image", "id": "1234567890", "caption": "my car", "voice": False}},
        ),
        UserUttered("/unreadable_photo", metadata={"media": {"kind": "image", "id": "222", "caption": ""}}),
        UserUttered(
            "oil filter for patrol 2018", metadata={"media": {"kind": "audio", "id": "333", "voice": True}}
        ),
        UserUttered("agent"),
        ActionExecuted("action_handoff"),
        ConversationPaused(),
        ConversationPaused(metadata={"agent": "Sara"}),
        BotUttered("Hi Omar, Sara here", metadata={"agent": "Sara"}),
        SlotSet("make", "Toyota"),
        ConversationResumed(metadata={"agent": "Sara"}),
        ActionExecuted("action_listen"),
    )
    lines = [entry_from_event(e) for e in reader.conversation(OMAR)]
    shown = [
        (e.sender, e.text, e.tapped, e.media_kind, e.media_caption, e.voice, e.photo_unreadable, e.staff_name,
         e.system, e.buttons)
        for e in lines
        if e is not None
    ]  # fmt: skip
    assert shown == [
        ("customer", "ابي فحمات", None, None, None, False, False, None, None, ()),
        ("bot", "Here you go", None, None, None, False, False, None, None,
         ("1. Toyota Genuine",)),
        ("customer", '/choose_part{"sku":"TOY-BP-0001"}', "1. Toyota Genuine", None, None, False, False, None,
         None, ()),
        ("customer", "JTMHV05J604123456", '/chassis_photo{"vin":"JTMHV05J604123456"}', "image", "my car",
         False, False, None, None, ()),
        ("customer", "", "/unreadable_photo", "image", None, False, True, None, None, ()),
        ("customer", "oil filter for patrol 2018", None, "audio", None, True, False, None, None, ()),
        ("customer", "agent", None, None, None, False, False, None, None, ()),
        ("system", "", None, None, None, False, False, None, "handoff", ()),
        ("system", "", None, None, None, False, False, None, "paused", ()),
        ("system", "", None, None, None, False, False, "Sara", "taken", ()),
        ("staff", "Hi Omar, Sara here", None, None, None, False, False, "Sara", None, ()),
        ("system", "", None, None, None, False, False, "Sara", "handed_back", ()),
    ]  # fmt: skip


def _row(row_id: int) -> TrackerEvent:
    return TrackerEvent(row_id, OMAR, "user", None, None, {})


def test_cursor_waits_for_a_lower_id_committed_late_and_delivers_it_once():
    cursor = GapAwareCursor(low=10, gap_timeout=5.0)
    assert [r.row_id for r in cursor.accept([_row(12), _row(13)], now=0.0)] == [12, 13]
    assert cursor.low == 10  # 11 is still being committed by another Rasa server
    assert [r.row_id for r in cursor.accept([_row(11), _row(12), _row(13)], now=1.0)] == [11]
    assert cursor.low == 13 and not cursor.seen


def test_cursor_skips_a_hole_that_never_fills():
    cursor = GapAwareCursor(low=10, gap_timeout=5.0)
    cursor.accept([_row(14)], now=0.0)  # 11-13: a rolled-back turn
    cursor.accept([_row(14)], now=4.0)
    assert cursor.low == 10
    assert cursor.accept([_row(14), _row(15)], now=5.5) == [_row(15)]
    assert cursor.low == 15


@pytest.mark.parametrize("url", ["memory", "", "mongodb://localhost/rasa", "not a url"])
def test_an_unreadable_tracker_store_is_refused_with_the_reason(url):
    with pytest.raises(TrackerStoreUnsupported):
        tracker_engine(url)
