"""Which language a customer writes in: English, Arabic, or Arabizi (Arabic in Latin letters).

The assistant itself answers in two languages (``actions/language.py``: Arabic letters → Arabic);
the review and the analytics also need to see Arabizi, which the NLU finds hardest. A message
with Arabic letters is Arabic; Latin text is Arabizi when it has a known Arabizi word
(``insights/data/arabizi.yml``, editable without Python) or a word with an Arabizi digit inside
("fa7mat", "3ndk") — unless English function words outnumber those clues two to one ("salam, my
cruiser squeaks since the trip" is English) — and English otherwise. Model codes ("lx570",
"x5", "f-150"), ordinals ("3rd") and years ("2k19") are not Arabizi digits.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml

ENGLISH, ARABIC, ARABIZI = "en", "ar", "arabizi"
LANGUAGES = (ENGLISH, ARABIC, ARABIZI)
LABELS = {ENGLISH: "English", ARABIC: "Arabic", ARABIZI: "Arabizi"}
WORDS_FILE = Path(__file__).parent / "data" / "arabizi.yml"

_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_TOKEN = re.compile(r"[a-z0-9']+")
_LETTERS = re.compile(r"[a-z]")
# an Arabizi digit between letters (fa7mat, ya3ni), or leading a word of 2+ letters (3ndk, 7abibi)
_DIGIT_INSIDE = re.compile(r"[a-z][235679][a-z]|^[235679][a-z]{2,}$|[a-z][235679]$")
_ORDINAL = re.compile(r"^\d+(st|nd|rd|th)$")
# English function words: many of them make a message English even with an Arabizi greeting in it
_ENGLISH = """the a an for my your i you we is are was it this that and or to of in on at with have
has do does can could need want please since from goes what which when where how much price any"""
ENGLISH_WORDS = frozenset(_ENGLISH.split())
_MODEL_CODE = re.compile(r"^[a-z]{1,3}\d{1,4}[a-z]?$|^\d[a-z]\d+$")


@lru_cache(maxsize=4)
def arabizi_words(path: Path = WORDS_FILE) -> frozenset[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return frozenset(str(w).lower() for w in data.get("words") or [])


def detect_language(text: str | None) -> str | None:
    """``"ar"``, ``"arabizi"``, ``"en"``, or None for a message with no words (a number, a tap)."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    if _ARABIC_LETTER.search(text):
        return ARABIC
    lowered = text.lower()
    tokens = _TOKEN.findall(lowered)
    if not any(_LETTERS.search(t) for t in tokens):
        return None
    arabizi = sum(_arabizi_weight(t) for t in tokens) + 2 * _has_arabizi_phrase(lowered)
    english = sum(1 for t in tokens if t in ENGLISH_WORDS)
    # "salam, since the trip my cruiser squeaks" is English with a greeting, not Arabizi
    return ARABIZI if arabizi and 2 * arabizi >= english else ENGLISH


def conversation_language(texts: Iterable[str]) -> str:
    """The language most of the customer's messages are in (Arabizi wins a tie with English)."""
    counts = Counter(lang for lang in map(detect_language, texts) if lang)
    if not counts:
        return ENGLISH
    order = {ARABIC: 0, ARABIZI: 1, ENGLISH: 2}
    return min(counts, key=lambda lang: (-counts[lang], order[lang]))


def _arabizi_weight(token: str) -> int:
    """2 for a word with an Arabizi digit (unmistakable), 1 for a listed word, else 0."""
    if _ORDINAL.match(token) or _MODEL_CODE.match(token):
        return 0
    if _DIGIT_INSIDE.search(token):
        return 2
    return 1 if token in arabizi_words() else 0


def _has_arabizi_phrase(text: str) -> bool:
    return any(" " in w and re.search(rf"\b{re.escape(w)}\b", text) for w in arabizi_words())
