"""What the customer is told when a photo or voice note cannot be used.

The words live in config/customer_copy.yml (``media``, ``media_tips``, ``media_names``,
``media_durations``), English and Arabic side by side; this module only picks the entry for a
``reason`` code of :mod:`media.errors` (plus ``no_speech``) and fills in its values.
``language`` None (nothing known about the customer yet) sends both languages.
(A photo without a readable chassis number is answered by the assistant, ``utter_photo_tips``
in domain.yml, in the conversation's language.)
"""

from __future__ import annotations

from shopkernel.copy import customer_copy, say

_KIND = {"image": "photo", "audio": "voice_note"}
_LIMIT = {"image": "5 MB", "audio": "16 MB"}


def _duration(seconds: float, language: str) -> str:
    minutes, secs = divmod(round(seconds), 60)
    if secs:
        return say("media_durations.minutes_seconds", language, minutes=minutes, seconds=f"{secs:02d}")
    if minutes == 1:
        return say("media_durations.one_minute", language)
    return say("media_durations.minutes", language, minutes=minutes)


def reply_for(
    reason: str, kind: str = "image", language: str | None = None, *, max_audio_seconds: float = 120.0
) -> str:
    """The reply for a ``reason`` code (unknown codes get a generic, still polite one)."""
    languages = [language] if language in ("en", "ar") else ["en", "ar"]
    return "\n\n".join(_one(reason, kind, lang, max_audio_seconds) for lang in languages)


def _one(reason: str, kind: str, language: str, max_audio_seconds: float) -> str:
    name = _KIND.get(kind, "photo")
    key = f"media.{reason}" if f"media.{reason}" in customer_copy().entries else "media.fallback"
    return say(
        key,
        language,
        tip=say(f"media_tips.{name}", language),
        what=say(f"media_names.{name}", language),
        limit=_LIMIT.get(kind, _LIMIT["image"]),
        max_audio=_duration(max_audio_seconds, language),
    )


def heard_reply(transcript_text: str, language: str | None) -> str:
    """Sent before the transcript goes to the assistant, so the customer can correct it."""
    return say("media.heard", language if language in ("en", "ar") else "en", transcript=transcript_text)
