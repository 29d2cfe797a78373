"""The optional reply-softening path (REPHRASE_REPLIES=1), against the fake OpenAI server."""

from __future__ import annotations

from decimal import Decimal

from tests.fakes.openai_server import json_chat_reply, server_error
from tests.rephraser.conftest import CUSTOMER

CANNED = "Ahmed, we have Brake Pads (Toyota, 04465-60320): 185 AED, 4 in stock. Reply 1 to order."
FACTS = ["04465-60320", Decimal("185.00"), 4]


async def soften(rephraser, **kwargs):
    return await rephraser.soften(
        CANNED,
        FACTS,
        language=kwargs.pop("language", "en"),
        conversation_id=CUSTOMER,
        customer_name="Ahmed",
        **kwargs,
    )


async def test_softened_reply_with_the_same_facts_is_used(fake_openai, make_rephraser):
    nicer = "Hi <name_1>! Good news: Brake Pads 04465-60320 are 185 AED and we have 4. Reply 1 to order 😊"
    fake_openai.script_chat(json_chat_reply({"reply": nicer}))

    out = await soften(make_rephraser(rephrase_replies=True))

    assert out == nicer.replace("<name_1>", "Ahmed")
    sent = fake_openai.chat_requests[0].body.decode()
    assert "Ahmed" not in sent and "<name_1>" in sent  # the name never leaves


async def test_arabic_softening_with_arabic_digits_is_used(fake_openai, make_rephraser):
    arabic = "أهلاً <name_1>! فحمات الفرامل ٠٤٤٦٥-٦٠٣٢٠ سعرها ١٨٥ درهم ومتوفر ٤. أرسل 1 للطلب."
    fake_openai.script_chat(json_chat_reply({"reply": arabic}))

    out = await soften(make_rephraser(rephrase_replies=True), language="ar")

    assert out.startswith("أهلاً Ahmed")
    assert "Arabic" in fake_openai.chat_requests[0].json["messages"][0]["content"]


async def test_hallucinated_price_is_rejected_and_the_canned_reply_used(fake_openai, make_rephraser):
    fake_openai.script_chat(
        json_chat_reply({"reply": "Hi! Brake Pads 04465-60320 now only 150 AED, 4 left. Reply 1."})
    )

    assert await soften(make_rephraser(rephrase_replies=True)) == CANNED


async def test_dropped_stock_figure_is_rejected(fake_openai, make_rephraser):
    fake_openai.script_chat(
        json_chat_reply({"reply": "Brake Pads 04465-60320 cost 185 AED. Reply 1 to order."})
    )

    assert await soften(make_rephraser(rephrase_replies=True)) == CANNED


async def test_failure_gives_the_canned_reply(fake_openai, make_rephraser):
    fake_openai.script_chat(server_error())

    assert await soften(make_rephraser(rephrase_replies=True)) == CANNED


async def test_off_by_default_sends_nothing(fake_openai, make_rephraser):
    assert await soften(make_rephraser()) == CANNED
    assert fake_openai.requests == []
