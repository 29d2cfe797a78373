"""The transactional inbox: a message acknowledged is a message answered, once.

Two channel instances share one database (SQLite here, PostgreSQL too with TEST_POSTGRES_URL),
as two Rasa servers do in production. "Dying" is simulated by cancelling an instance's turn
in the middle, without letting it record anything, which is what SIGKILL leaves behind; the
real-process version of these tests is tests/faults/test_inbox_crashes.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from types import SimpleNamespace

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select

from connectors.whatsapp.channel import WhatsAppInput
from connectors.whatsapp.inbox import WAIT, Inbox
from connectors.whatsapp.payloads import InboundMessage
from connectors.whatsapp.tables import inbox, inbox_sends
from shopkernel.db import make_engine
from simulator import webhooks
from tests.connector.harness import BotServer

CUSTOMER = "971509876543"


@pytest.fixture
def settings(settings):
    return replace(settings, inbox_max_attempts=5)  # the harness gives up after one attempt


def _texts(fake_graph, who: str = CUSTOMER) -> list[str]:
    return [m.payload["text"]["body"] for m in fake_graph.messages_to(who)]


async def _dies_after_first_reply(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "first"})
    await asyncio.Event().wait()  # the process is "killed" here by cancelling its tasks


async def _answers_twice(message: UserMessage) -> None:
    await message.output_channel.send_response(message.sender_id, {"text": "first"})
    await message.output_channel.send_response(message.sender_id, {"text": "second"})


async def _kill(server: BotServer) -> None:
    """Cancel every running turn: no outcome is recorded, the lease is simply left to expire."""
    runtime = server.channel.runtime
    for task in list(runtime.queues._workers.values()):  # noqa: SLF001 - simulating a crash
        task.cancel()
    await asyncio.sleep(0.1)
    server.channel._sweeper.cancel()  # noqa: SLF001 - a dead process sweeps nothing


def _state(database_url: str, message_id: str) -> tuple[str, int]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(inbox.c.state, inbox.c.attempts).where(inbox.c.message_id == message_id)
            ).one()
        return row.state, row.attempts
    finally:
        engine.dispose()


async def _reply_recorded(database_url: str, message_id: str, count: int = 1) -> None:
    """Wait until the turn has recorded ``count`` sent replies. A process killed between the
    Graph API's answer and that record sends the reply again on the re-drive (at least once,
    the documented limit); these tests kill after the record, where "never twice" must hold."""
    engine = make_engine(database_url)
    try:
        for _ in range(200):
            with engine.connect() as conn:
                query = select(inbox_sends.c.seq).where(inbox_sends.c.message_id == message_id)
                rows = conn.execute(query).all()
            if len(rows) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"reply {count} of {message_id} was never recorded")
    finally:
        engine.dispose()


async def test_message_is_stored_before_the_200_and_marked_done_after_the_turn(bot, fake_graph, settings):
    message = webhooks.text(CUSTOMER, "oil filter")
    assert (await bot.post(webhooks.customer_message(message))).status_code == 200
    await bot.settle()
    assert _texts(fake_graph) == ["You said: oil filter"]
    assert _state(settings.database_url, message["id"]) == ("done", 1)


async def test_turn_cut_mid_way_is_finished_by_another_instance_without_repeating_replies(
    fake_graph, settings
):
    dying = await BotServer(WhatsAppInput(settings), handler=_dies_after_first_reply).start()
    survivor = await BotServer(WhatsAppInput(settings), handler=_answers_twice).start()
    try:
        message = webhooks.text(CUSTOMER, "brake pads")
        assert (await dying.post(webhooks.customer_message(message))).status_code == 200
        await fake_graph.wait_for(1, CUSTOMER, timeout=30)
        await _reply_recorded(settings.database_url, message["id"])
        await _kill(dying)
        assert _state(settings.database_url, message["id"]) == ("processing", 1)

        await fake_graph.wait_for(2, CUSTOMER, timeout=40)  # after the 3 s lease
        await survivor.settle()
        await asyncio.sleep(0.5)
        assert _texts(fake_graph) == ["first", "second"]  # "first" was not sent again
        assert [m.text for m in survivor.received] == ["brake pads"]
        assert _state(settings.database_url, message["id"]) == ("done", 2)
    finally:
        await survivor.stop()
        await dying.stop()


async def test_a_message_sent_after_a_crash_waits_for_the_earlier_one(fake_graph, settings):
    """The customer saw the first replies of a turn that then died, and writes again (taps a row).

    The new message must not run on a conversation without the first one: it waits until the
    earlier message has been re-driven, then runs, in the order the customer wrote them.
    """
    dying = await BotServer(WhatsAppInput(settings), handler=_dies_after_first_reply).start()
    survivor = await BotServer(WhatsAppInput(settings), handler=_answers_twice).start()
    try:
        first = webhooks.text(CUSTOMER, "brake pads")
        assert (await dying.post(webhooks.customer_message(first))).status_code == 200
        await fake_graph.wait_for(1, CUSTOMER, timeout=30)
        await _reply_recorded(settings.database_url, first["id"])
        await _kill(dying)

        second = webhooks.text(CUSTOMER, "the first one")
        assert (await survivor.post(webhooks.customer_message(second))).status_code == 200
        await fake_graph.wait_for(4, CUSTOMER, timeout=60)  # after the earlier message's lease
        await survivor.settle()
        assert [m.text for m in survivor.received] == ["brake pads", "the first one"]
        assert _texts(fake_graph) == ["first", "second", "first", "second"]
        assert _state(settings.database_url, first["id"]) == ("done", 2)
        assert _state(settings.database_url, second["id"]) == ("done", 1)
    finally:
        await survivor.stop()
        await dying.stop()


async def test_turn_that_completed_in_rasa_is_not_run_again(fake_graph, settings):
    """Rasa saved the tracker (the message is in it) but the process died before marking it done."""
    message = webhooks.text(CUSTOMER, "spark plugs")
    dying = await BotServer(WhatsAppInput(settings), handler=_dies_after_first_reply).start()
    survivor_channel = WhatsAppInput(settings)
    survivor = await BotServer(survivor_channel, handler=_answers_twice).start()
    saved = DialogueStateTracker.from_events(CUSTOMER, [UserUttered("spark plugs", message_id=message["id"])])

    class Store:
        async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
            return saved if sender_id == CUSTOMER else None

    agent = SimpleNamespace(tracker_store=Store(), is_ready=lambda: True)
    survivor_channel._app = SimpleNamespace(ctx=SimpleNamespace(agent=agent))  # what Rasa's app holds
    try:
        await dying.post(webhooks.customer_message(message))
        await fake_graph.wait_for(1, CUSTOMER, timeout=30)
        await _kill(dying)
        for _ in range(100):
            if _state(settings.database_url, message["id"])[0] == "done":
                break
            await asyncio.sleep(0.1)
        assert _state(settings.database_url, message["id"]) == ("done", 2)
        assert survivor.received == [] and _texts(fake_graph) == ["first"]
    finally:
        await survivor.stop()
        await dying.stop()


async def test_restarted_instance_picks_up_what_it_had_accepted(fake_graph, settings):
    first = await BotServer(WhatsAppInput(settings), handler=_dies_after_first_reply).start()
    message = webhooks.text(CUSTOMER, "wiper blades")
    await first.post(webhooks.customer_message(message))
    await fake_graph.wait_for(1, CUSTOMER, timeout=30)
    await _reply_recorded(settings.database_url, message["id"])
    await _kill(first)
    await first.stop()

    restarted = await BotServer(WhatsAppInput(settings), handler=_answers_twice).start()
    try:
        await fake_graph.wait_for(2, CUSTOMER, timeout=40)
        await restarted.settle()
        assert _texts(fake_graph) == ["first", "second"]
    finally:
        await restarted.stop()


async def test_redelivery_after_the_turn_is_still_ignored(bot, fake_graph, settings):
    body = webhooks.customer_message(webhooks.text(CUSTOMER, "clutch"))
    await bot.post(body)
    await bot.settle()
    await bot.post(body)
    await bot.settle()
    assert _texts(fake_graph) == ["You said: clutch"]


@pytest.fixture
def two_inboxes(database_url):
    """Two processes' inboxes on one database (with the connector's tables)."""
    from connectors.whatsapp.tables import metadata
    from shopkernel.db import create_missing_tables

    engine = make_engine(database_url)
    create_missing_tables(metadata, engine)
    yield Inbox(engine, lease_seconds=30), Inbox(engine, lease_seconds=30)
    metadata.drop_all(engine)
    engine.dispose()


def test_only_one_process_holds_a_lease(two_inboxes):
    a, b = two_inboxes
    message = InboundMessage("wamid.lease-1", CUSTOMER, "text", {"text": {"body": "x"}})
    assert asyncio.run(a.accept(message)) is True
    assert asyncio.run(b.accept(message)) is False
    assert asyncio.run(a.take(message.message_id)).message == message
    assert asyncio.run(b.take(message.message_id)) is None  # lease held and not expired
    asyncio.run(a.finish(message.message_id))
    assert asyncio.run(b.take(message.message_id)) is None  # done


def test_a_customers_later_message_is_not_taken_before_an_earlier_one_is_finished(two_inboxes, database_url):
    a, b = two_inboxes
    first = InboundMessage("wamid.order-1", CUSTOMER, "text", {"text": {"body": "pads"}})
    second = InboundMessage("wamid.order-2", CUSTOMER, "text", {"text": {"body": "the first one"}})
    other = InboundMessage("wamid.order-3", "971500000001", "text", {"text": {"body": "hi"}})
    for message in (first, second, other):
        assert asyncio.run(a.accept(message)) is True
    assert asyncio.run(b.take(second.message_id)) == WAIT  # the first is still pending
    assert asyncio.run(b.take(other.message_id)).message == other  # other customers do not wait
    assert asyncio.run(a.take(first.message_id)).message == first
    assert asyncio.run(b.take(second.message_id)) == WAIT  # ... and now processing
    assert _state(database_url, second.message_id) == ("pending", 0)
    asyncio.run(a.finish(first.message_id))
    assert asyncio.run(b.next_pending(CUSTOMER)) == second.message_id
    assert asyncio.run(b.take(second.message_id)).message == second
    assert asyncio.run(b.next_pending(CUSTOMER)) is None
