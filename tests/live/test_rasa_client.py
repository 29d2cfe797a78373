"""The web service's Rasa client against the real Rasa server (``--enable-api --auth-token``)."""

from __future__ import annotations

import logging
import time

import pytest

from tests.helpers.live_stack import RASA_TOKEN
from tests.helpers.servers import free_port
from webservice.rasa_client import RasaAuthError, RasaClient, RasaUnavailable

# A long timeout: several Rasa servers load at once on a busy 2-core machine.
pytestmark = [pytest.mark.rasa, pytest.mark.slow, pytest.mark.timeout(1800)]

CUSTOMER = "971504440001"


@pytest.fixture
async def rasa(live):
    client = RasaClient(live.rasa_url, RASA_TOKEN)
    yield client
    await client.aclose()


async def test_the_token_is_sent_and_required(live, rasa):
    assert "model_file" in await rasa.status()
    for token in (None, "not-the-token"):
        stranger = RasaClient(live.rasa_url, token)
        try:
            with pytest.raises(RasaAuthError, match="RASA_AUTH_TOKEN"):
                await stranger.tracker(CUSTOMER)
        finally:
            await stranger.aclose()


async def test_rasa_down_is_a_clear_error():
    client = RasaClient(f"http://127.0.0.1:{free_port()}", RASA_TOKEN, timeout=2)
    try:
        with pytest.raises(RasaUnavailable, match="unreachable"):
            await client.pause(CUSTOMER, "Sara")
    finally:
        await client.aclose()


async def test_pause_staff_message_and_resume_keep_the_conversation(live, rasa):
    live.customer_says(CUSTOMER, "need brake pads for toyota land cruiser 2015", name="Omar")
    live.wait_for_replies(CUSTOMER, 1)
    live.wait_until(lambda: live.tracker(CUSTOMER)["slots"].get("model"), what="slots filled")
    slots_before = {k: live.tracker(CUSTOMER)["slots"][k] for k in ("make", "model", "year")}

    await rasa.pause(CUSTOMER, "Sara")
    tracker = await rasa.tracker(CUSTOMER)
    assert tracker["paused"] is True
    sent_before = len(live.replies_to(CUSTOMER))
    live.customer_says(CUSTOMER, "hello? is anyone there", name="Omar")
    live.wait_until(
        lambda: any(e.get("text") == "hello? is anyone there" for e in live.tracker(CUSTOMER)["events"]),
        what="the paused conversation to store the message",
    )
    time.sleep(1.5)
    assert len(live.replies_to(CUSTOMER)) == sent_before  # the bot stayed silent

    await rasa.record_staff_message(CUSTOMER, "Hi Omar, Sara here. The pads are 245 AED.", "Sara")
    events = (await rasa.tracker(CUSTOMER))["events"]
    staff = [e for e in events if e["event"] == "bot" and (e.get("metadata") or {}).get("agent")]
    assert [(e["text"], e["metadata"]["agent"]) for e in staff] == [
        ("Hi Omar, Sara here. The pads are 245 AED.", "Sara")
    ]
    assert len(live.replies_to(CUSTOMER)) == sent_before  # recording sends nothing to WhatsApp

    await rasa.resume(CUSTOMER, "Sara")
    tracker = await rasa.tracker(CUSTOMER)
    assert tracker["paused"] is False
    assert {k: tracker["slots"][k] for k in slots_before} == slots_before
    live.customer_says(CUSTOMER, "show me the oil filter too", name="Omar")
    replies = live.wait_for_replies(CUSTOMER, sent_before + 1)
    assert len(replies) > sent_before, live.logs()


async def test_the_token_never_reaches_the_logs(live, rasa, caplog):
    with caplog.at_level(logging.DEBUG):
        await rasa.tracker(CUSTOMER)
    assert caplog.records, "httpx logs each request at INFO"
    assert all(RASA_TOKEN not in record.getMessage() for record in caplog.records)
