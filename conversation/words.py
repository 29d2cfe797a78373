"""The short words the conversation reads in context, from a data file a designer edits.

``catalog/vocabulary/conversation_words.yml`` sits next to the catalog vocabulary; this module
reads it once per process and exposes each section as a set of words.
"""

from __future__ import annotations

from pathlib import Path

from catalog.vocabulary.words import merged, word_groups

WORDS_FILE = Path(__file__).resolve().parents[1] / "catalog" / "vocabulary" / "conversation_words.yml"
_GROUPS = word_groups(WORDS_FILE)


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
CHEAPEST_WORDS = section("cheapest")
