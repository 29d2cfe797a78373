"""The connector's own messages reach the customer in their language (config/customer_copy.yml)."""

from __future__ import annotations

import pytest

from shopkernel.copy import say
from shopkernel.language import LanguageMemory, has_arabic
from simulator import webhooks

CUSTOMER = "971502223344"


async def _send(bot, message) -> None:  # noqa: ANN001
    response = await bot.post(webhooks.customer_message(message, name="Sara"))
    assert response.status_code == 200
    await bot.settle()


def _texts(fake_graph) -> list[str]:  # noqa: ANN001
    return [m.payload["text"]["body"] for m in fake_graph.messages_to(CUSTOMER) if m.type == "text"]


async def test_a_first_message_the_bot_cannot_read_gets_both_languages(bot, fake_graph):
    await _send(bot, webhooks.media(CUSTOMER, "sticker", "sticker-1", "image/webp"))
    [reply] = _texts(fake_graph)
    assert reply == say("connector.unsupported_type")
    assert reply.startswith("Sorry") and has_arabic(reply)


@pytest.mark.parametrize(
    ("first", "language"),
    [
        ("ابي فحمات لاندكروزر 2015", "ar"),
        ("abi fa7mat patrol 2018", "en"),
        ("need brake pads for my camry", "en"),
    ],
)
async def test_after_a_text_the_connector_answers_in_the_customers_language(bot, fake_graph, first, language):
    await _send(bot, webhooks.text(CUSTOMER, first))
    await _send(bot, webhooks.media(CUSTOMER, "sticker", "sticker-2", "image/webp"))
    assert _texts(fake_graph)[-1] == say("connector.unsupported_type", language)


async def test_an_arabic_customers_photo_without_a_pipeline_gets_arabic(bot, fake_graph):
    await _send(bot, webhooks.text(CUSTOMER, "السلام عليكم"))
    await _send(bot, webhooks.image(CUSTOMER, fake_graph.register_media(b"jpeg", "image/jpeg")))
    assert _texts(fake_graph)[-1] == say("connector.media_not_understood", "ar")


async def test_the_assistants_last_reply_sets_the_language(bot, fake_graph):
    """The assistant answers in its `language` slot; the connector follows its last reply."""
    await _send(bot, webhooks.text(CUSTOMER, "ابي فلتر زيت"))  # the test bot echoes: "You said: ابي…"
    await _send(bot, webhooks.text(CUSTOMER, "2015"))  # digits: the test bot answers "You said: 2015"
    await _send(bot, webhooks.media(CUSTOMER, "sticker", "sticker-3", "image/webp"))
    assert _texts(fake_graph)[-1] == say("connector.unsupported_type", "en")


def test_digits_payloads_and_emoji_keep_the_language():
    memory = LanguageMemory()
    assert memory.note(CUSTOMER, "ابي فلتر زيت") == "ar"
    for neutral in ("2015", "/affirm", "👍", "", None):
        assert memory.note(CUSTOMER, neutral) == "ar"
    assert memory.note(CUSTOMER, "ok thanks") == "en"
    assert memory.get("someone else") is None
