"""End to end through the real WhatsApp channel: webhook → Graph API download → OCR/speech → Rasa.

The Graph API is the local fake (simulator.graph_server) serving the generated photo; Rasa is
the connector tests' scripted stand-in, so this shows exactly what the assistant receives.
"""

from __future__ import annotations

import random

import pytest

from connectors.whatsapp.channel import WhatsAppInput
from media.pipeline import MediaPipeline
from media.replies import reply_for
from media.settings import MediaSettings
from media.whatsapp_handler import WhatsAppMediaHandler
from shopkernel.copy import say
from simulator import webhooks
from simulator.graph_server import FakeGraphApi
from tests.connector.harness import ACCESS_TOKEN, APP_SECRET, BotServer, make_settings
from tests.media.cards import Distortion, card_photo, make_vin
from tests.media.voice import speak_wav, to_ogg_opus

pytestmark = pytest.mark.slow
CUSTOMER = "971509876543"


def offline_handler(fetcher) -> WhatsAppMediaHandler:  # noqa: ANN001
    """The handler as configured in production, with defaults instead of the developer's env."""
    return WhatsAppMediaHandler(fetcher, MediaPipeline(MediaSettings.from_env({})))


@pytest.fixture
async def fake_graph():
    fake = FakeGraphApi(access_token=ACCESS_TOKEN, app_secret=APP_SECRET)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(fake_graph, tmp_path, ocr):
    settings = make_settings(
        fake_graph.base_url,
        f"sqlite:///{tmp_path / 'connector.db'}",
        media_handler="tests.media.test_whatsapp_e2e:offline_handler",
    )
    server = await BotServer(WhatsAppInput(settings)).start()
    yield server
    await server.stop()


async def _send(bot, message) -> None:
    response = await bot.post(webhooks.customer_message(message, name="Khalid"))
    assert response.status_code == 200
    await bot.settle(timeout=90)


async def test_registration_card_photo_reaches_rasa_as_the_chassis_number(bot, fake_graph):
    vin = make_vin(random.Random(21), "JTM", 2016)
    photo = card_photo(vin, Distortion(angle=-4, blur=0.9, noise=25, jpeg_quality=60), seed=21)
    await _send(bot, webhooks.image(CUSTOMER, fake_graph.register_media(photo, "image/jpeg")))
    [received] = bot.received
    assert received.text == f'/chassis_photo{{"vin": "{vin}"}}'
    assert received.metadata["media"]["kind"] == "image"


async def test_voice_note_reaches_rasa_as_its_transcript(bot, fake_graph, espeak):
    note = to_ogg_opus(speak_wav("I need brake pads for my Toyota Land Cruiser"))
    media_id = fake_graph.register_media(note, "audio/ogg; codecs=opus")
    await _send(bot, webhooks.audio(CUSTOMER, media_id, voice=True))
    [received] = bot.received
    assert "toyota land cruiser" in received.text
    assert received.metadata["media"]["voice"] is True


async def test_pdf_sent_as_a_photo_gets_an_answer_and_no_turn(bot, fake_graph):
    await _send(bot, webhooks.image(CUSTOMER, fake_graph.register_media(b"%PDF-1.4 mulkiya", "image/jpeg")))
    assert bot.received == []
    replies = [m.payload["text"]["body"] for m in fake_graph.messages_to(CUSTOMER)]
    # the pipeline's specific reply (what went wrong, how to send it), not the connector's generic one
    assert replies == [reply_for("unsupported_type", "image")]
    assert say("connector.media_not_understood") not in replies
