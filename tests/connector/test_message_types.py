"""Every inbound message type: what Rasa receives (or not) and what the customer sees."""

from __future__ import annotations

import pytest

from connectors.whatsapp.channel import WhatsAppInput
from shopkernel.copy import say
from simulator import webhooks
from tests.connector.harness import BotServer, make_settings

CUSTOMER = "971501234567"
BSUID = "AE.1349120865530274"


class RecordingPipeline:
    """A stand-in media pipeline: downloads through the connector and describes what it got."""

    calls: list[tuple[str, str, str, str, bytes]] = []

    def __init__(self, fetcher):
        self.fetcher = fetcher

    async def handle(self, kind, media_id, mime_type, sender):
        media = await self.fetcher.fetch(kind, media_id)
        RecordingPipeline.calls.append((kind, media_id, mime_type, sender, media.data))
        if media.data == b"unreadable":
            return None
        return f"{kind} says: {media.data.decode()}"


def _first_reply(fake_graph) -> str:  # noqa: ANN001
    return fake_graph.messages_to(CUSTOMER)[0].payload["text"]["body"]


async def _send(bot, message, name="Sara"):
    response = await bot.post(webhooks.customer_message(message, name=name))
    assert response.status_code == 200
    await bot.settle()


async def test_text_reaches_rasa_with_whatsapp_metadata(bot, fake_graph):
    message = webhooks.text(CUSTOMER, "need brake pads")
    await _send(bot, message)
    [received] = bot.received
    assert received.text == "need brake pads"
    assert received.sender_id == CUSTOMER
    assert received.input_channel == "whatsapp"
    assert received.message_id == message["id"]
    meta = received.metadata
    assert meta["profile_name"] == "Sara"
    assert meta["wa_id"] == CUSTOMER
    assert meta["message_id"] == message["id"]
    assert meta["timestamp"] == int(message["timestamp"])
    assert meta["phone_number_id"] == webhooks.DEFAULT_PHONE_NUMBER_ID
    assert fake_graph.reads[0]["message_id"] == message["id"]
    assert fake_graph.reads[0]["typing_indicator"] == {"type": "text"}


async def test_button_reply_sends_the_id_not_the_title(bot):
    payload = '/choose_part{"sku": "BP-001"}'
    await _send(bot, webhooks.button_reply(CUSTOMER, payload, "Front pads", context_id=webhooks.new_wamid()))
    [received] = bot.received
    assert received.text == payload
    assert received.metadata["reply_title"] == "Front pads"
    assert received.metadata["reply_to"].startswith("wamid.")


async def test_list_reply_sends_the_row_id(bot):
    await _send(
        bot, webhooks.list_reply(CUSTOMER, '/choose_part{"sku": "X"}', "Brake pad set…", "Brake pad set 1")
    )
    assert [m.text for m in bot.received] == ['/choose_part{"sku": "X"}']


async def test_template_quick_reply_sends_the_payload(bot):
    await _send(bot, webhooks.template_button(CUSTOMER, "/affirm", "Yes please"))
    assert [m.text for m in bot.received] == ["/affirm"]


async def test_location_is_text_plus_coordinates(bot):
    await _send(bot, webhooks.location(CUSTOMER, 25.2048, 55.2708, "Al Quoz workshop", "Street 4, Dubai"))
    [received] = bot.received
    assert received.text == "My location: Al Quoz workshop, Street 4, Dubai"
    assert received.metadata["location"]["latitude"] == 25.2048


async def test_location_without_a_name_uses_coordinates(bot):
    await _send(bot, webhooks.location(CUSTOMER, 25.2, 55.3))
    assert [m.text for m in bot.received] == ["My location: 25.2, 55.3"]


@pytest.mark.parametrize("emoji", ["👍", None])  # None: the customer removed the reaction
async def test_reaction_gets_no_reply_and_no_turn(bot, fake_graph, emoji):
    await _send(bot, webhooks.reaction(CUSTOMER, webhooks.new_wamid(), emoji))
    assert bot.received == [] and fake_graph.sent == [] and fake_graph.reads == []


async def test_system_message_gets_no_reply(bot, fake_graph):
    await _send(bot, webhooks.system_changed_number(CUSTOMER, "971509999999"))
    assert bot.received == [] and fake_graph.sent == []


@pytest.mark.parametrize(
    "message",
    [
        webhooks.unsupported(CUSTOMER),
        webhooks.media(CUSTOMER, "sticker", "111", "image/webp", animated=False),
        webhooks.media(CUSTOMER, "video", "112", "video/mp4"),
        webhooks.media(CUSTOMER, "document", "113", "application/pdf", filename="invoice.pdf"),
        webhooks.contacts_card(CUSTOMER, "Ahmed Garage", "+971 50 111 2222"),
        {**webhooks.text(CUSTOMER, "x"), "type": "some_future_type", "some_future_type": {}},
    ],
    ids=["unsupported", "sticker", "video", "document", "contacts", "future"],
)
async def test_types_the_bot_cannot_read_get_a_polite_reply_without_a_turn(bot, fake_graph, message):
    await _send(bot, message)
    assert bot.received == []
    [reply] = fake_graph.messages_to(CUSTOMER)
    assert reply.payload["text"]["body"] == say("connector.unsupported_type")


async def test_image_and_voice_note_without_a_pipeline_ask_the_customer_to_type(bot, fake_graph):
    await _send(bot, webhooks.image(CUSTOMER, fake_graph.register_media(b"jpeg", "image/jpeg")))
    await _send(bot, webhooks.audio(CUSTOMER, fake_graph.register_media(b"ogg", "audio/ogg")))
    assert bot.received == []
    assert [m.payload["text"]["body"] for m in fake_graph.messages_to(CUSTOMER)] == [
        say("connector.media_not_understood")
    ] * 2


async def test_image_caption_is_used_when_no_pipeline_reads_the_photo(bot):
    await _send(bot, webhooks.image(CUSTOMER, "998877", caption="do you have this mirror for a 2018 Patrol?"))
    [received] = bot.received
    assert received.text == "do you have this mirror for a 2018 Patrol?"
    assert received.metadata["media"] == {
        "kind": "image", "id": "998877", "mime_type": "image/jpeg", "voice": False,
        "caption": "do you have this mirror for a 2018 Patrol?",
    }  # fmt: skip


@pytest.fixture
async def media_bot(fake_graph, sqlite_url):
    RecordingPipeline.calls = []
    settings = make_settings(
        fake_graph.base_url, sqlite_url, media_handler="tests.connector.test_message_types:RecordingPipeline"
    )
    server = await BotServer(WhatsAppInput(settings)).start()
    yield server
    await server.stop()


async def test_photo_goes_through_the_media_pipeline_to_rasa(media_bot, fake_graph):
    media_id = fake_graph.register_media(b"part number 04465-60320", "image/jpeg")
    await _send(media_bot, webhooks.image(CUSTOMER, media_id))
    [received] = media_bot.received
    assert received.text == "image says: part number 04465-60320"
    assert received.metadata["media"]["id"] == media_id
    assert RecordingPipeline.calls == [
        ("image", media_id, "image/jpeg", CUSTOMER, b"part number 04465-60320")
    ]


async def test_voice_note_carries_the_voice_flag(media_bot, fake_graph):
    media_id = fake_graph.register_media(b"brake pads for patrol", "audio/ogg; codecs=opus")
    await _send(media_bot, webhooks.audio(CUSTOMER, media_id, voice=True))
    [received] = media_bot.received
    assert received.text == "audio says: brake pads for patrol"
    assert received.metadata["media"]["voice"] is True
    assert received.metadata["media"]["mime_type"] == "audio/ogg; codecs=opus"


async def test_pipeline_that_understands_nothing_asks_to_type(media_bot, fake_graph):
    await _send(media_bot, webhooks.image(CUSTOMER, fake_graph.register_media(b"unreadable", "image/png")))
    assert media_bot.received == []
    assert _first_reply(fake_graph) == say("connector.media_not_understood")


async def test_too_large_photo_gets_a_specific_reply(media_bot, fake_graph):
    media_id = fake_graph.register_media(b"x" * (5 * 1024 * 1024 + 1), "image/jpeg")
    await _send(media_bot, webhooks.image(CUSTOMER, media_id))
    assert media_bot.received == []
    assert _first_reply(fake_graph) == say("connector.media_too_large")


async def test_expired_media_id_does_not_lose_the_customer(media_bot, fake_graph):
    await _send(media_bot, webhooks.image(CUSTOMER, "404404404"))
    assert _first_reply(fake_graph) == say("connector.media_not_understood")


async def test_bsuid_only_customer_is_keyed_and_answered_by_bsuid(bot, fake_graph):
    """Username users may arrive without ``from``/``wa_id``: only ``from_user_id``/``user_id``."""
    message = webhooks.text(None, "hello", user_id=BSUID)
    await _send(bot, message)
    [received] = bot.received
    assert received.sender_id == BSUID
    assert received.metadata["user_id"] == BSUID and received.metadata["wa_id"] is None
    [reply] = fake_graph.sent
    assert reply.payload["recipient"] == BSUID and "to" not in reply.payload


async def test_bsuid_from_contacts_when_message_has_no_sender_fields(bot, fake_graph):
    message = webhooks.text(None, "hi")
    body = webhooks.envelope(
        [webhooks.value(messages=[message], contacts=[webhooks.contact(None, "Z", BSUID)])]
    )
    assert (await bot.post(body)).status_code == 200
    await bot.settle()
    assert [m.sender_id for m in bot.received] == [BSUID]


async def test_phone_number_is_preferred_when_both_ids_are_present(bot):
    await _send(bot, webhooks.text(CUSTOMER, "hi", user_id=BSUID))
    [received] = bot.received
    assert received.sender_id == CUSTOMER and received.metadata["user_id"] == BSUID


async def test_empty_text_and_interactive_without_id_are_ignored(bot, fake_graph):
    await _send(bot, webhooks.text(CUSTOMER, "   "))
    await _send(bot, webhooks.button_reply(CUSTOMER, "", ""))
    assert bot.received == [] and fake_graph.sent == []


class ResultPipeline:
    """Answers like media's MediaResult: a reply for the customer and/or a message for Rasa."""

    def __init__(self, fetcher):
        self.fetcher = fetcher

    async def handle(self, kind, media_id, mime_type, sender):
        from types import SimpleNamespace

        media = await self.fetcher.fetch(kind, media_id)
        if media.data == b"silence":
            return SimpleNamespace(message=None, reply="That voice note was silent, please try again.")
        return SimpleNamespace(message="brake pads for patrol", reply='🎤 I heard: "brake pads for patrol"')


@pytest.fixture
async def result_bot(fake_graph, sqlite_url):
    settings = make_settings(
        fake_graph.base_url, sqlite_url, media_handler="tests.connector.test_message_types:ResultPipeline"
    )
    server = await BotServer(WhatsAppInput(settings)).start()
    yield server
    await server.stop()


async def test_pipeline_reply_is_sent_before_the_turn(result_bot, fake_graph):
    await _send(result_bot, webhooks.audio(CUSTOMER, fake_graph.register_media(b"ogg", "audio/ogg")))
    assert [m.text for m in result_bot.received] == ["brake pads for patrol"]
    bodies = [m.payload["text"]["body"] for m in fake_graph.messages_to(CUSTOMER)]
    assert bodies == ['🎤 I heard: "brake pads for patrol"', "You said: brake pads for patrol"]


async def test_pipeline_reply_alone_replaces_the_generic_answer(result_bot, fake_graph):
    await _send(result_bot, webhooks.audio(CUSTOMER, fake_graph.register_media(b"silence", "audio/ogg")))
    assert result_bot.received == []
    bodies = [m.payload["text"]["body"] for m in fake_graph.messages_to(CUSTOMER)]
    assert bodies == ["That voice note was silent, please try again."]
