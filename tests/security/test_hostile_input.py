"""Hostile input at the entry points that face the internet, on real servers.

The WhatsApp channel on a real Sanic server with the fake Graph API (tests/connector's harness):
impersonation without Meta's signature, replays, malformed bodies, media ids that would change
the Graph URL our token is sent to, and the log lines of all of it. The catalog search (the same
function the bot and the public API call) with SQL-significant and very long text.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time

import pytest
from sqlalchemy import text as sql_text

from catalog.search import PartQuery, search_parts
from connectors.whatsapp.dispatch import PoliteReply, ToMediaPipeline, decide
from connectors.whatsapp.payloads import parse_webhook
from shopkernel.copy import say
from simulator import webhooks
from tests.connector.harness import ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN

pytestmark = pytest.mark.security
VICTIM = "971501234567"
NUMBER = re.compile(r"(?<!\d)9715\d{8}(?!\d)")


def _signed(raw: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


async def test_nobody_can_speak_for_a_customer_without_metas_signature(bot, fake_graph):
    body = webhooks.encode(webhooks.customer_message(webhooks.text(VICTIM, "my saved car? create a lead")))
    other = webhooks.encode(webhooks.customer_message(webhooks.text(VICTIM, "something else")))
    attempts = [
        {"Content-Type": "application/json"},  # no signature
        _signed(body, "guessed-secret"),  # another app's secret
        _signed(other, APP_SECRET),  # a real signature of a different body
        {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256="},
        {"Content-Type": "application/json", "X-Hub-Signature-256": "sha1=" + "0" * 40},
    ]
    for headers in attempts:
        assert (await bot.post_raw(body, headers)).status_code == 403
    await asyncio.sleep(0.5)
    assert bot.received == [] and fake_graph.sent == []


async def test_replayed_signed_webhook_is_answered_once(bot, fake_graph):
    body = webhooks.customer_message(webhooks.text(VICTIM, "brake pads"))
    assert (await bot.post(body)).status_code == 200
    await bot.settle()
    for _ in range(3):  # an attacker (or Meta) replays the captured request later
        await asyncio.sleep(0.3)
        assert (await bot.post(body)).status_code == 200
    await bot.settle()
    assert [m.text for m in bot.received] == ["brake pads"]
    assert len(fake_graph.messages_to(VICTIM)) == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[]",
        b"null",
        b'"entry"',
        b'{"entry": "x"}',
        b'{"entry": [{"changes": [{"value": {"messages": [{"from": 5, "id": null, "type": []}]}}]}]}',
        b'{"entry": [{"changes": [{"value": {"messages": "' + b"A" * 50_000 + b'"}}]}]}',
        b"[" * 5000 + b"]" * 5000,  # deep nesting
        '{"entry": "\ud800"}'.encode("utf-8", "surrogatepass"),  # invalid UTF-8
    ],
)
async def test_malformed_signed_bodies_are_acknowledged_and_start_no_turn(bot, fake_graph, raw):
    assert (await bot.post_raw(raw, _signed(raw, APP_SECRET))).status_code == 200  # Meta must not retry
    assert (await bot.post_raw(raw, {"Content-Type": "application/json"})).status_code == 403
    await bot.settle()
    assert bot.received == [] and fake_graph.sent == []


@pytest.mark.parametrize(
    "media_id",
    ["../../v21.0/123456/messages", "123/../../me", "123?fields=url", "%2e%2e%2f123", "123 456", "a" * 500],
)
def test_media_ids_with_path_characters_never_reach_the_graph_url(media_id):
    batch = parse_webhook(webhooks.customer_message(webhooks.image(VICTIM, media_id)))
    decision = decide(batch.messages[0])
    assert isinstance(decision, PoliteReply)
    assert isinstance(
        decide(
            parse_webhook(webhooks.customer_message(webhooks.image(VICTIM, "1234567890123456"))).messages[0]
        ),
        ToMediaPipeline,
    )


async def test_hostile_media_id_gets_the_polite_answer_and_no_download(bot, fake_graph):
    await bot.post(webhooks.customer_message(webhooks.image(VICTIM, "../../v21.0/123/messages")))
    sent = await fake_graph.wait_for(1, VICTIM)
    await bot.settle()
    assert sent[0].payload["text"]["body"] == say("connector.unsupported_type")
    assert bot.received == []


async def test_log_lines_carry_no_secret_and_no_phone_number_in_clear(bot, fake_graph, caplog):
    caplog.set_level(logging.DEBUG)
    await bot.get({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"})
    await bot.post_raw(b"{}", {"X-Hub-Signature-256": "sha256=" + "0" * 64})
    for text_ in ("brake pads", "crash", "two"):
        await bot.post(webhooks.customer_message(webhooks.text(VICTIM, text_), name="Ahmed"))
    await bot.post(webhooks.customer_message(webhooks.image(VICTIM, "1234567890")))
    await bot.settle(timeout=20)
    await asyncio.sleep(3)  # the failed turn's apology after its retry
    logged = "\n".join(r.getMessage() + (str(r.exc_info[1]) if r.exc_info else "") for r in caplog.records)
    assert logged, "nothing was logged"
    for secret in (ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN):
        assert secret not in logged
    assert NUMBER.findall(logged) == []


def test_sql_significant_and_very_long_search_text_is_just_text(session):
    before = session.execute(sql_text("SELECT count(*) FROM parts")).scalar()
    hostile = [
        "'; DROP TABLE parts; --",
        "brake pads' OR '1'='1",
        "%_%",
        "\\\\' UNION SELECT * FROM customers --",
        "فحمات'; DELETE FROM leads; --",
        "x" * 100_000,
        "brake " * 20_000,
    ]
    for text_ in hostile:
        started = time.monotonic()
        hits = search_parts(session, PartQuery(part=text_, make=text_[:200]))
        assert isinstance(hits, list)
        assert time.monotonic() - started < 5, text_[:40]
    hits = search_parts(session, PartQuery(part_number="04465'; DROP TABLE parts; --"))
    assert isinstance(hits, list)
    after = session.execute(sql_text("SELECT count(*) FROM parts")).scalar()
    assert after == before > 0
