"""Meta's GET subscription check, and the channel's health route."""

from __future__ import annotations

import pytest

from tests.connector.harness import VERIFY_TOKEN


async def test_correct_token_echoes_the_challenge_as_plain_text(bot):
    response = await bot.get(
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    )
    assert response.status_code == 200
    assert response.text == "1158201444"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN + "x", "hub.challenge": "42"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {"hub.mode": "subscribe", "hub.challenge": "42"},
        {},
    ],
)
async def test_anything_else_is_forbidden(bot, params):
    response = await bot.get(params)
    assert response.status_code == 403
    assert "42" not in response.text


async def test_no_configured_verify_token_refuses_even_an_empty_token(fake_graph, sqlite_url):
    from connectors.whatsapp.channel import WhatsAppInput
    from tests.connector.harness import BotServer, make_settings

    server = await BotServer(
        WhatsAppInput(make_settings(fake_graph.base_url, sqlite_url, verify_token=""))
    ).start()
    try:
        response = await server.get({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "42"})
        assert response.status_code == 403
    finally:
        await server.stop()


async def test_health_route(bot):
    response = await bot._http.get(bot.url.rsplit("/webhook", 1)[0] + "/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
