"""X-Hub-Signature-256: HMAC-SHA256 of the raw body with the App Secret, or 403 and nothing happens."""

from __future__ import annotations

import asyncio
import json

import pytest

from connectors.whatsapp.signature import is_valid_signature, sign
from simulator import webhooks
from tests.connector.harness import APP_SECRET

CUSTOMER = "971501234567"


def _body(text: str = "need brake pads") -> bytes:
    return webhooks.encode(webhooks.customer_message(webhooks.text(CUSTOMER, text)))


async def _nothing_happened(bot, fake_graph) -> None:
    await asyncio.sleep(0.2)
    if bot.channel.runtime is not None:
        await bot.settle()
    assert bot.received == []
    assert fake_graph.sent == [] and fake_graph.reads == []


async def test_valid_signature_is_accepted_and_answered(bot, fake_graph):
    raw = _body()
    response = await bot.post_raw(raw, webhooks.signed_headers(raw, APP_SECRET))
    assert response.status_code == 200
    await fake_graph.wait_for(1, CUSTOMER)
    assert [m.text for m in bot.received] == ["need brake pads"]


async def test_signature_is_checked_over_raw_bytes_with_emoji_and_arabic(bot, fake_graph):
    """Meta escapes non-ASCII; re-serialising the JSON would break the HMAC."""
    text = "فحمات فرامل 🚗 for café"
    for raw in (
        _body(text),
        json.dumps(webhooks.customer_message(webhooks.text(CUSTOMER, text)), ensure_ascii=False).encode(
            "utf-8"
        ),
    ):
        response = await bot.post_raw(raw, webhooks.signed_headers(raw, APP_SECRET))
        assert response.status_code == 200
    await fake_graph.wait_for(2, CUSTOMER)
    assert [m.text for m in bot.received] == [text, text]


@pytest.mark.parametrize(
    "header",
    [
        None,  # missing
        "",
        "sha256=",
        "sha256=deadbeef",
        "sha1=" + sign(_body(), APP_SECRET)[7:],
        sign(_body(), APP_SECRET)[7:],  # no prefix
        sign(_body(), "another-apps-secret"),
        sign(_body("need brake pads "), APP_SECRET),  # signature of a different body
        "sha256=" + "é" * 64,
        "sha256=" + "z" * 64,
    ],
)
async def test_bad_or_missing_signature_gets_403_and_no_reply(bot, fake_graph, header):
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["X-Hub-Signature-256"] = header.encode("utf-8")  # raw bytes: non-ASCII too
    response = await bot.post_raw(_body(), headers)
    assert response.status_code == 403
    await _nothing_happened(bot, fake_graph)


async def test_uppercase_hex_and_header_case_are_tolerated(bot, fake_graph):
    raw = _body()
    response = await bot.post_raw(raw, {"x-hub-signature-256": "sha256=" + sign(raw, APP_SECRET)[7:].upper()})
    assert response.status_code == 200
    await fake_graph.wait_for(1, CUSTOMER)


async def test_insecure_opt_out_accepts_unsigned_bodies(fake_graph, sqlite_url):
    from connectors.whatsapp.channel import WhatsAppInput
    from tests.connector.harness import BotServer, make_settings

    settings = make_settings(fake_graph.base_url, sqlite_url, app_secret="", insecure_skip_signature=True)
    server = await BotServer(WhatsAppInput(settings)).start()
    try:
        response = await server.post_raw(_body(), {"Content-Type": "application/json"})
        assert response.status_code == 200
        await fake_graph.wait_for(1, CUSTOMER)
    finally:
        await server.stop()


def test_is_valid_signature_unit():
    raw = b'{"a":"\\u00e9"}'
    assert is_valid_signature(raw, sign(raw, "s"), "s")
    assert not is_valid_signature(raw, sign(raw, "s"), "")
    assert not is_valid_signature(raw + b" ", sign(raw, "s"), "s")
