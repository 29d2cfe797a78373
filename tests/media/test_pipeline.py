"""MediaPipeline.handle: what Rasa gets and what the customer is told, for good and bad media."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import random

import pytest
from PIL import Image

from media.pipeline import MediaPipeline
from shopkernel.language import has_arabic
from tests.fakes.openai_server import FakeOpenAIServer, server_error
from tests.media.cards import Distortion, card_photo, make_vin
from tests.media.voice import silence_ogg, speak_wav, to_ogg_opus

pytestmark = pytest.mark.slow


@pytest.fixture
def pipeline(media_settings, ocr):
    pipe = MediaPipeline(media_settings)
    yield pipe
    pipe.close()


def _bilingual(reply: str) -> bool:
    return bool(reply) and has_arabic(reply) and any("a" <= c <= "z" for c in reply)


async def test_card_photo_becomes_the_chassis_photo_intent(pipeline):
    vin = make_vin(random.Random(11), "JTM", 2016)
    result = await pipeline.handle(
        "image", card_photo(vin, Distortion(angle=3, blur=0.8), seed=11), "image/jpeg"
    )
    assert result.message == f'/chassis_photo{{"vin": "{vin}"}}'
    assert result.reason == "chassis_number" and result.reply is None
    assert result.metadata["vin"] == vin


async def test_frame_number_photo_sends_the_frame_number(pipeline):
    result = await pipeline.handle("image", card_photo("URJ202-4001234", Distortion(), seed=12), "image/jpeg")
    assert result.message == '/chassis_photo{"frame_number": "URJ202-4001234"}'


async def test_photo_without_a_number_asks_for_a_better_photo(pipeline):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 90, 160)).save(out, format="PNG")
    result = await pipeline.handle("image", out.getvalue(), "image/png")
    assert result.message == "/unreadable_photo"
    assert result.reply is None  # the assistant gives the photo tips, once, in the customer's language


@pytest.mark.parametrize(
    ("data", "mime", "reason"),
    [
        (b"%PDF-1.5 registration.pdf", "image/jpeg", "unsupported_type"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 500, "image/jpeg", "corrupt"),
        (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "image/jpeg", "too_large"),
        (b"", "image/jpeg", "corrupt"),
    ],
)
async def test_bad_photos_get_a_polite_bilingual_reply_and_a_log_entry(pipeline, caplog, data, mime, reason):
    with caplog.at_level(logging.WARNING, logger="media.pipeline"):
        result = await pipeline.handle("image", data, mime)
    assert result.message is None and result.reason == reason
    assert _bilingual(result.reply)
    assert any(reason in r.getMessage() for r in caplog.records)


async def test_ocr_time_limit_gives_a_polite_reply(media_settings, ocr):
    pipe = MediaPipeline(dataclasses.replace(media_settings, ocr_timeout_s=0.2))
    try:
        vin = make_vin(random.Random(13), "KNA", 2019)
        result = await pipe.handle(
            "image", card_photo(vin, Distortion(angle=5, blur=1.0), seed=13), "image/jpeg"
        )
    finally:
        pipe.close()
    assert result.message is None and result.reason == "timeout" and _bilingual(result.reply)


async def test_voice_note_goes_to_rasa_as_its_transcript(pipeline, espeak):
    note = to_ogg_opus(speak_wav("I need brake pads for my Toyota Land Cruiser"))
    result = await pipeline.handle("audio", note, "audio/ogg; codecs=opus")
    assert "toyota land cruiser" in result.message
    assert result.reply.startswith("🎤 I heard:") and result.message in result.reply
    assert result.metadata["voice"] is True and result.metadata["speech_engine"] == "pocketsphinx"
    assert result.metadata["transcript"] == result.message


async def test_too_long_voice_note_is_refused_politely(pipeline):
    result = await pipeline.handle("audio", silence_ogg(130), "audio/ogg; codecs=opus")
    assert result.message is None and result.reason == "too_long"
    assert "2 minutes" in result.reply and _bilingual(result.reply)


async def test_corrupt_voice_note(pipeline):
    result = await pipeline.handle("audio", b"OggS" + bytes(range(256)) * 8, "audio/ogg")
    assert result.message is None and result.reason == "corrupt"


async def test_failing_openai_falls_back_to_the_offline_engine(media_settings, ocr, espeak):
    with FakeOpenAIServer(api_key="sk-pipe") as fake:
        fake.script_transcriptions(server_error(), server_error())
        settings = dataclasses.replace(
            media_settings, openai_api_key="sk-pipe", openai_base_url=fake.base_url
        )
        pipe = MediaPipeline(settings)
        try:
            note = to_ogg_opus(speak_wav("I need brake pads for my Toyota Land Cruiser"))
            result = await pipe.handle("audio", note, "audio/ogg")
        finally:
            pipe.close()
        assert len(fake.transcription_requests) == 2  # one retry, then offline
    assert result.metadata["speech_engine"] == "pocketsphinx"
    assert "land cruiser" in result.message.lower()  # the offline engine's transcript reached the chat


def test_intent_payload_is_rasa_syntax():
    from media.pipeline import intent_payload

    assert json.loads(intent_payload("chassis_photo", {"vin": "X"})[len("/chassis_photo") :]) == {"vin": "X"}
    assert intent_payload("unreadable_photo") == "/unreadable_photo"
