"""Word lists the vocabulary treats specially (filler, positions, conditions), from a data file.

The lists live in ``matching_words.yml`` next to this module so that a conversation designer
edits them without Python; this module only reads them once per process.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from catalog.normalize import normalize_text

WORDS_FILE = Path(__file__).resolve().parent / "matching_words.yml"


def word_groups(path: Path = WORDS_FILE) -> dict[str, dict[str, list[str]]]:
    """``{section: {group: [word, ...]}}`` from a word-list file (groups are space-separated)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(section): {str(group): str(words or "").split() for group, words in (groups or {}).items()}
        for section, groups in data.items()
    }


def merged(groups: dict[str, list[str]]) -> frozenset[str]:
    """Every word of a section, whatever its group."""
    return frozenset(word for words in groups.values() for word in words)


_GROUPS = word_groups()
# Words that never name a make, model or part on their own (they may still be part of a
# longer alias such as "front pads"). English, Gulf Arabic and Arabizi filler.
STOPWORDS = merged(_GROUPS["stopwords"])
# Position words are filler for matching but kept in the part text ("front brake pads").
POSITION_WORDS = merged(_GROUPS["positions"])
# Words too generic to stand for a longer name on their own ("front" of "front bumper").
GENERIC_WORDS = STOPWORDS | merged(_GROUPS["generic"])
CONDITION_WORDS: dict[str, list[str]] = dict(_GROUPS["conditions"])
CONDITION_INDEX = {normalize_text(w): c for c, words in CONDITION_WORDS.items() for w in words}
