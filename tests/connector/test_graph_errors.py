"""Graph API failures by error class: retried, not retried, template fallback, always recorded."""

from __future__ import annotations

import asyncio

import pytest

from connectors.whatsapp.errors import RetryPolicy
from connectors.whatsapp.failures import FailureStore
from connectors.whatsapp.graph_client import GraphClient
from connectors.whatsapp.output import MessageSender, WhatsAppOutput
from connectors.whatsapp.settings import WhatsAppSettings
from connectors.whatsapp.tables import metadata
from shopkernel.db import create_missing_tables, make_engine
from simulator import webhooks
from tests.connector.harness import free_port, make_settings

CUSTOMER = "971501234567"


@pytest.fixture
def out(bot):
    return bot.channel.get_output_channel()


async def _failures(bot):
    return await bot.channel.runtime.failures.recent()


@pytest.mark.parametrize("code", [130429, 131056, 131000, 1, 2, 131016, 4, 80007])
async def test_transient_errors_are_retried_until_success(out, bot, fake_graph, code):
    fake_graph.inject_error(code, times=2)
    await out.send_text_message(CUSTOMER, "Your pads are in stock")
    assert fake_graph.attempts == 3
    assert [m.payload["text"]["body"] for m in fake_graph.sent] == ["Your pads are in stock"]
    assert await _failures(bot) == []


async def test_transient_errors_give_up_after_max_attempts_and_are_recorded(out, bot, fake_graph):
    fake_graph.inject_error(131000, times=10)
    await out.send_text_message(CUSTOMER, "hello")
    assert fake_graph.attempts == bot.channel.settings.max_send_attempts == 4
    [failure] = await _failures(bot)
    assert (failure.source, failure.error_code, failure.attempts, failure.recipient) == (
        "send",
        131000,
        4,
        CUSTOMER,
    )
    assert failure.payload["text"]["body"] == "hello"


@pytest.mark.parametrize("code", [131026, 190, 100, 131048, 368, 131009])
async def test_permanent_errors_are_not_retried_and_are_recorded(out, bot, fake_graph, code):
    fake_graph.inject_error(code, times=5)
    await out.send_text_message(CUSTOMER, "hello")
    assert fake_graph.attempts == 1
    assert fake_graph.sent == []
    [failure] = await _failures(bot)
    assert failure.error_code == code and failure.attempts == 1 and failure.recipient == CUSTOMER


async def test_window_closed_without_template_is_recorded_with_the_reason(out, bot, fake_graph):
    fake_graph.inject_error(131047)
    await out.send_text_message(CUSTOMER, "Your order is ready")
    assert fake_graph.attempts == 1
    [failure] = await _failures(bot)
    assert failure.error_code == 131047
    assert "WHATSAPP_FALLBACK_TEMPLATE" in failure.fallback


async def test_window_closed_sends_the_configured_template(fake_graph, sqlite_url):
    from connectors.whatsapp.channel import WhatsAppInput
    from tests.connector.harness import BotServer

    settings = make_settings(
        fake_graph.base_url, sqlite_url, fallback_template="order_update", fallback_template_language="ar"
    )
    server = await BotServer(WhatsAppInput(settings)).start()
    try:
        fake_graph.inject_error(131047)
        await server.channel.get_output_channel().send_text_message(CUSTOMER, "Your order is ready")
        [template] = fake_graph.sent
        assert template.payload["type"] == "template"
        assert template.payload["template"] == {"name": "order_update", "language": {"code": "ar"}}
        assert template.payload["to"] == CUSTOMER
        [failure] = await server.channel.runtime.failures.recent()
        assert failure.error_code == 131047 and failure.fallback == "template order_update sent"
    finally:
        await server.stop()


async def test_expired_token_is_not_retried(out, bot, fake_graph):
    fake_graph.access_token = "a-rotated-token"  # ours is now invalid: real HTTP 401, code 190
    await out.send_text_message(CUSTOMER, "hello")
    assert fake_graph.attempts == 0  # rejected at authentication, before any send
    [failure] = await _failures(bot)
    assert failure.error_code == 190 and failure.attempts == 1


async def test_network_errors_are_retried_then_recorded(sqlite_url):
    settings = make_settings(f"http://127.0.0.1:{free_port()}", sqlite_url, max_send_attempts=3)
    engine = make_engine(settings.database_url)
    create_missing_tables(metadata, engine)
    client = GraphClient(settings)
    failures = FailureStore(engine)
    from connectors.whatsapp.aliases import PayloadAliases

    out = WhatsAppOutput(MessageSender(client, settings, failures, PayloadAliases(engine)))
    try:
        await out.send_text_message(CUSTOMER, "hello")
        [failure] = await failures.recent()
        assert failure.error_code == -1 and failure.attempts == 3
        assert "Connect" in failure.error_title
    finally:
        await client.aclose()
        engine.dispose()


async def test_asynchronous_failure_arrives_as_status_and_is_recorded(out, bot, fake_graph):
    fake_graph.webhook_url = bot.url
    fake_graph.inject_error(131026, asynchronous=True)
    await out.send_text_message(CUSTOMER, "hello")
    [accepted] = fake_graph.sent  # Meta accepted it...
    for _ in range(50):  # ...and reports the failure later, by webhook
        await asyncio.sleep(0.05)
        await bot.settle()
        failures = await _failures(bot)
        if failures:
            break
    assert [(f.source, f.wamid, f.error_code) for f in failures] == [("status", accepted.wamid, 131026)]
    assert bot.received == []


def test_backoff_grows_and_respects_the_pair_rate_floor():
    client_settings = WhatsAppSettings(retry_base_delay=1.0, pair_rate_delay=6.0, retry_max_delay=60.0)
    client = GraphClient(client_settings)
    try:
        first = [client.backoff_delay(1, RetryPolicy.RETRY) for _ in range(50)]
        third = [client.backoff_delay(3, RetryPolicy.RETRY) for _ in range(50)]
        assert all(0.5 <= d <= 1.0 for d in first) and all(2.0 <= d <= 4.0 for d in third)
        assert len(set(first)) > 1  # jitter
        pair = [client.backoff_delay(1, RetryPolicy.RETRY_PAIR_RATE) for _ in range(50)]
        assert all(6.0 <= d <= 9.0 for d in pair)
    finally:
        asyncio.run(client.aclose())


async def test_the_access_token_never_appears_in_logs(out, bot, fake_graph, caplog):
    caplog.set_level("DEBUG")
    fake_graph.inject_error(131000, times=10)
    await out.send_text_message(CUSTOMER, "hello")
    await bot.post(webhooks.customer_message(webhooks.text(CUSTOMER, "hi")))
    await bot.settle()
    assert "test-access-token" not in caplog.text
    assert CUSTOMER not in caplog.text  # phone numbers are masked
    assert "9715****4567" in caplog.text
