"""The short words the conversation reads in context, from a data file a designer edits.

``catalog/vocabulary/conversation_words.yml`` sits next to the catalog vocabulary; this module
reads it once per process and exposes each section as a set of words.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from catalog.normalize import normalize_text
from catalog.vocabulary.words import merged, word_groups

WORDS_FILE = Path(__file__).resolve().parents[1] / "catalog" / "vocabulary" / "conversation_words.yml"
_GROUPS = word_groups(WORDS_FILE)


def phrases(name: str, path: Path = WORDS_FILE) -> tuple[str, ...]:
    """A section of comma-separated phrases, normalised (lower case, Arabic folded), longest first."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = {
        normalize_text(phrase)
        for text in (data.get(name) or {}).values()
        for phrase in str(text or "").split(",")
        if normalize_text(phrase)
    }
    return tuple(sorted(found, key=lambda p: (-len(p), p)))


def section(name: str) -> frozenset[str]:
    """Every word of one section of the file (all its groups merged)."""
    return merged(_GROUPS.get(name, {}))


YES_WORDS = section("yes")
NO_WORDS = section("no")
CLOSING_WORDS = section("closing")
NEGATIONS = section("negations")
SAME_WORDS = section("same")
OTHER_WORDS = section("other")
LANGUAGE_NEUTRAL = section("language_neutral")
ORDINAL_WORDS: dict[str, int] = {
    word: int(number) for number, words in _GROUPS.get("ordinals", {}).items() for word in words
}
LAST_WORDS = section("last")
POSITION_WORDS = section("position_words")
CHEAPEST_WORDS = section("cheapest")
YEAR_MARKERS = section("year_markers")
YES_PHRASES = phrases("yes_phrases")
NO_PHRASES = phrases("no_phrases")
YES_EXTRA = section("yes_extra")
NO_EXTRA = section("no_extra")
RESTART_PHRASES = phrases("restart_phrases")
ORDER_PHRASES = phrases("order_phrases")
CANCEL_PHRASES = phrases("cancel_phrases")
STILL_WANTS = frozenset(normalize_text(w) for w in section("still_wants"))
PERSONAL_DATA_WORDS = frozenset(normalize_text(w) for w in section("personal_data"))
FILLERS = section("fillers")
