"""At-least-once, batched, unordered delivery from Meta → exactly one ordered turn per message."""

from __future__ import annotations

import asyncio
import time

from connectors.whatsapp.inbox import InboxUnavailable
from simulator import webhooks

CUSTOMER = "971501234567"


async def test_same_body_delivered_twice_is_answered_once(bot, fake_graph):
    body = webhooks.customer_message(webhooks.text(CUSTOMER, "oil filter"))
    assert (await bot.post(body)).status_code == 200
    await bot.settle()
    assert (await bot.post(body)).status_code == 200
    await bot.settle()
    assert [m.text for m in bot.received] == ["oil filter"]
    assert len(fake_graph.messages_to(CUSTOMER)) == 1


async def test_concurrent_redeliveries_are_answered_once(bot, fake_graph):
    body = webhooks.customer_message(webhooks.text(CUSTOMER, "spark plugs"))
    responses = await asyncio.gather(*(bot.post(body) for _ in range(12)))
    assert {r.status_code for r in responses} == {200}
    await bot.settle()
    assert [m.text for m in bot.received] == ["spark plugs"]
    assert len(fake_graph.messages_to(CUSTOMER)) == 1


async def test_every_entry_change_and_message_of_a_batch_is_handled(bot, fake_graph):
    """2 entries × 2 changes × 2 messages, from four different customers."""
    entries = []
    expected = set()
    for e in range(2):
        values = []
        for c in range(2):
            customer = f"97150000{e}{c}00"
            messages = [webhooks.text(customer, f"msg {e}.{c}.{m}") for m in range(2)]
            expected.update((customer, msg["text"]["body"]) for msg in messages)
            values.append(
                webhooks.value(messages=messages, contacts=[webhooks.contact(customer, f"C{e}{c}")])
            )
        entries.append(values)
    assert (await bot.post(webhooks.envelope(*entries))).status_code == 200
    await bot.settle()
    assert {(m.sender_id, m.text) for m in bot.received} == expected
    assert len(fake_graph.sent) == 8
    assert {m.payload["to"] for m in fake_graph.sent} == {c for c, _ in expected}


async def test_turns_of_one_customer_stay_in_order(bot, fake_graph):
    """Each turn takes 200 ms; later messages must still be answered after earlier ones."""
    for n in range(4):
        assert (
            await bot.post(webhooks.customer_message(webhooks.text(CUSTOMER, f"slow:{n}")))
        ).status_code == 200
    await bot.settle()
    replies = [m.payload["text"]["body"] for m in fake_graph.messages_to(CUSTOMER)]
    assert replies == [f"You said: slow:{n}" for n in range(4)]


async def test_customers_do_not_wait_for_each_other(bot, fake_graph):
    started = time.monotonic()
    for n in range(5):
        await bot.post(webhooks.customer_message(webhooks.text(f"9715000001{n}", "slow:x")))
    await bot.settle()
    assert len(fake_graph.sent) == 5
    assert time.monotonic() - started < 0.2 * 5  # in parallel, not one after another


async def test_webhook_is_acknowledged_before_the_turn_finishes(bot, fake_graph):
    async def slow_rasa(message):
        await asyncio.sleep(1.0)
        await message.output_channel.send_response(message.sender_id, {"text": "done"})

    bot.handler = slow_rasa
    started = time.monotonic()
    response = await bot.post(webhooks.customer_message(webhooks.text(CUSTOMER, "hi")))
    assert response.status_code == 200
    assert time.monotonic() - started < 0.5
    assert fake_graph.sent == []
    await fake_graph.wait_for(1, CUSTOMER)


async def test_statuses_never_reach_rasa_and_failures_are_recorded_once(bot, fake_graph):
    wamid = webhooks.new_wamid()
    failed = webhooks.status(
        wamid,
        "failed",
        CUSTOMER,
        [webhooks.error_item(131026, "Message undeliverable", "Receiver incapable")],
    )
    body = webhooks.statuses_body(
        webhooks.status(wamid, "sent", CUSTOMER),
        webhooks.status(wamid, "delivered", CUSTOMER),
        webhooks.status(wamid, "read", CUSTOMER),
        failed,
    )
    assert (await bot.post(body)).status_code == 200
    assert (await bot.post(body)).status_code == 200  # Meta redelivers
    await bot.settle()
    assert bot.received == []
    assert fake_graph.sent == [] and fake_graph.reads == []
    failures = await bot.channel.runtime.failures.recent()
    assert [(f.source, f.wamid, f.error_code, f.recipient) for f in failures] == [
        ("status", wamid, 131026, CUSTOMER)
    ]
    assert failures[0].error_details == "Receiver incapable"


async def test_failed_status_without_error_details_is_still_recorded(bot):
    body = webhooks.statuses_body(webhooks.status(webhooks.new_wamid(), "failed", CUSTOMER))
    assert (await bot.post(body)).status_code == 200
    await bot.settle()
    failures = await bot.channel.runtime.failures.recent()
    assert len(failures) == 1 and failures[0].error_code is None


async def test_messages_and_statuses_in_one_body(bot, fake_graph):
    value = webhooks.value(
        messages=[webhooks.text(CUSTOMER, "hello")],
        contacts=[webhooks.contact(CUSTOMER)],
        statuses=[webhooks.status(webhooks.new_wamid(), "read", CUSTOMER)],
    )
    assert (await bot.post(webhooks.envelope([value]))).status_code == 200
    await bot.settle()
    assert [m.text for m in bot.received] == ["hello"]


async def test_unreadable_or_foreign_signed_bodies_are_acknowledged_and_ignored(bot, fake_graph):
    bodies = [
        b"not json",
        b"[1, 2, 3]",
        webhooks.encode({"object": "whatsapp_business_account", "entry": "oops"}),
        webhooks.encode(
            {
                "object": "whatsapp_business_account",
                "entry": [{"changes": [{"field": "account_update", "value": {"x": 1}}]}],
            }
        ),
        webhooks.encode(webhooks.envelope([webhooks.value(messages=[{"type": "text"}, "junk", None])])),
    ]
    for raw in bodies:
        response = await bot.post_raw(raw, webhooks.signed_headers(raw, "test-app-secret"))
        assert response.status_code == 200
    await bot.settle()
    assert bot.received == [] and fake_graph.sent == []


async def test_rasa_failure_is_retried_then_gets_an_apology_not_silence(bot, fake_graph):
    await bot.post(webhooks.customer_message(webhooks.text(CUSTOMER, "crash")))
    sent = await fake_graph.wait_for(1, CUSTOMER, timeout=15)
    assert "something went wrong" in sent[0].payload["text"]["body"].lower()
    assert [m.text for m in bot.received] == ["crash"]  # one attempt (max 1 here), then the apology
    await asyncio.sleep(1)
    assert len(fake_graph.messages_to(CUSTOMER)) == 1


async def test_inbox_outage_asks_meta_to_redeliver_and_loses_nothing(bot, fake_graph):
    runtime = bot.channel.runtime
    real_accept = runtime.inbox.accept

    async def database_down(message):
        raise InboxUnavailable("database is down")

    body = webhooks.customer_message(webhooks.text(CUSTOMER, "clutch kit"))
    runtime.inbox.accept = database_down
    response = await bot.post(body)
    assert response.status_code == 503
    await bot.settle()
    assert bot.received == []
    runtime.inbox.accept = real_accept
    assert (await bot.post(body)).status_code == 200  # Meta's retry
    await bot.settle()
    assert [m.text for m in bot.received] == ["clutch kit"]


async def test_unconfigured_channel_answers_503_so_meta_keeps_the_message(fake_graph, sqlite_url):
    from connectors.whatsapp.channel import WhatsAppInput
    from tests.connector.harness import BotServer, make_settings

    server = await BotServer(
        WhatsAppInput(make_settings(fake_graph.base_url, sqlite_url, access_token=""))
    ).start()
    try:
        response = await server.post(webhooks.customer_message(webhooks.text(CUSTOMER, "hi")))
        assert response.status_code == 503
        assert "WHATSAPP_ACCESS_TOKEN" in response.text
    finally:
        await server.stop()


async def _answered_once_with(settings) -> None:
    from connectors.whatsapp.channel import WhatsAppInput
    from tests.connector.harness import BotServer

    server = await BotServer(WhatsAppInput(settings)).start()
    try:
        body = webhooks.customer_message(webhooks.text(CUSTOMER, "wiper blades"))
        responses = await asyncio.gather(*(server.post(body) for _ in range(6)))
        assert {r.status_code for r in responses} == {200}
        await server.settle()
        assert [m.text for m in server.received] == ["wiper blades"]
    finally:
        await server.stop()


async def test_redeliveries_answered_once_on_each_sql_backend(fake_graph, database_url):
    from connectors.whatsapp.tables import metadata
    from shopkernel.db import make_engine
    from tests.connector.harness import make_settings

    await _answered_once_with(make_settings(fake_graph.base_url, database_url))
    engine = make_engine(database_url)
    metadata.drop_all(engine)
    engine.dispose()
