"""Media settings from the environment: defaults, validation, and the key kept out of logs."""

from __future__ import annotations

import pytest

from media.settings import MediaSettings


def test_defaults_work_with_nothing_set():
    settings = MediaSettings.from_env({})
    assert settings.max_audio_seconds == 120 and settings.ocr_timeout_s > 0
    assert not settings.use_openai


def test_key_turns_on_openai_and_never_shows_in_repr():
    settings = MediaSettings.from_env({"OPENAI_API_KEY": "sk-secret-123", "MEDIA_MAX_AUDIO_SECONDS": "90"})
    assert settings.use_openai and settings.max_audio_seconds == 90
    assert "sk-secret-123" not in repr(settings)


def test_forcing_the_offline_engine_ignores_the_key():
    assert not MediaSettings.from_env(
        {"OPENAI_API_KEY": "sk-x", "MEDIA_SPEECH_ENGINE": "pocketsphinx"}
    ).use_openai


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDIA_SPEECH_ENGINE": "google"}, "MEDIA_SPEECH_ENGINE"),
        ({"MEDIA_OCR_TIMEOUT_S": "soon"}, "MEDIA_OCR_TIMEOUT_S"),
        ({"MEDIA_MAX_AUDIO_SECONDS": "-5"}, "MEDIA_MAX_AUDIO_SECONDS"),
    ],
)
def test_bad_values_are_named(env, message):
    with pytest.raises(ValueError, match=message):
        MediaSettings.from_env(env)
