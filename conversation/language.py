"""Which language to answer in: Arabic when the customer writes Arabic letters.

Latin text switches an Arabic conversation to English only when it reads like an English
sentence (three or more words): "2015", "ok", "land cruiser" or a button payload keep the Arabic
replies, because Arabic speakers often type model names and short words in Latin letters.
"""

from __future__ import annotations

import re

from conversation.words import LANGUAGE_NEUTRAL
from shopkernel.language import has_arabic

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Short words Arabic speakers use in Latin letters without meaning "switch to English".
SWITCH_TO_ENGLISH_WORDS = 3
_NEUTRAL = LANGUAGE_NEUTRAL


def detect_language(text: str | None, previous: str | None = None) -> str:
    """``"ar"`` or ``"en"`` for this message, given the language of the conversation so far."""
    previous = previous if previous in ("ar", "en") else "en"
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return previous
    if has_arabic(text):
        return "ar"
    words = [w.lower() for w in _LATIN_WORD.findall(text)]
    meaningful = [w for w in words if w not in _NEUTRAL]
    if previous == "ar":
        return "en" if len(meaningful) >= SWITCH_TO_ENGLISH_WORDS else "ar"
    return "en"
