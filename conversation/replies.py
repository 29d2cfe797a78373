"""What a short message means on its own: yes, no, "start over", "I'll take it", or mere filler.

These readings need no state; the state decides what they answer (the pending question, the
items shown). Phrases and words are in ``catalog/vocabulary/conversation_words.yml``.
"""

from __future__ import annotations

import re

from catalog.normalize import normalize_text
from catalog.vocabulary import STOPWORDS
from conversation.words import (
    CANCEL_PHRASES,
    CLOSING_WORDS,
    FILLERS,
    NO_EXTRA,
    NO_PHRASES,
    NO_WORDS,
    ORDER_PHRASES,
    ORDINAL_WORDS,
    PERSONAL_DATA_WORDS,
    POSITION_WORDS,
    RESTART_PHRASES,
    STILL_WANTS,
    YES_EXTRA,
    YES_PHRASES,
    YES_WORDS,
)

SHORT_REPLY_WORDS = 4  # "yes please same car" is still a short answer; longer is a new request
_YES = YES_WORDS | YES_EXTRA
_NO = (NO_WORDS | NO_EXTRA) - {"not"}
_POLITE = frozenset(
    {"please", "pls", "plz", "thanks", "thank", "you", "bro", "habibi", "sir", "akhoy", "اخوي"}
)


def _words(text: str) -> list[str]:
    return normalize_text(text).split()


def _contains(norm: str, phrase: str) -> bool:
    return re.search(rf"(?:^|\s){re.escape(phrase)}(?:\s|$)", norm) is not None


def yes_or_no(text: str) -> str | None:
    """``"yes"``/``"no"`` for a short reply made of yes/no words ("yep", "aywa", "اي نعم", "la2", "مب").

    None for anything longer or with other content ("no, 2016", "yes brake pads"): those are
    read as details, not as an answer.
    """
    norm = normalize_text(text)
    words = norm.split()
    if not words or len(words) > SHORT_REPLY_WORDS:
        return None
    for phrase in NO_PHRASES:
        if norm == phrase or (_contains(norm, phrase) and _only_reply_words(words)):
            return "no"
    for phrase in YES_PHRASES:
        if norm == phrase or (_contains(norm, phrase) and _only_reply_words(words)):
            return "yes"
    if not _only_reply_words(words):
        return None
    if any(w in _NO for w in words):
        return "no"
    return "yes" if any(w in _YES for w in words) else None


def _only_reply_words(words: list[str]) -> bool:
    allowed = _YES | _NO | CLOSING_WORDS | _POLITE | {"نعم", "same", "car"}
    return all(w in allowed or w in _phrase_words() for w in words)


def _phrase_words() -> frozenset[str]:
    return frozenset(w for p in (*YES_PHRASES, *NO_PHRASES) for w in p.split())


def asks_to_restart(text: str) -> bool:
    """An explicit "start over" / "ابدأ من جديد" (the only thing that clears the conversation)."""
    norm = normalize_text(text)
    return norm.startswith("/restart") or any(_contains(norm, phrase) for phrase in RESTART_PHRASES)


def asks_to_order(text: str) -> bool:
    """ "I'll take it", "how do I buy", "تمام ارسله", "ابغاه", "kam el se3r w ab8ah": an order."""
    norm = normalize_text(text)
    return any(_contains(norm, phrase) for phrase in ORDER_PHRASES)


def refuses(text: str) -> bool:
    """ "I don't want it", "cancel my order", "ما ابيه", "la ma abgha": the customer declines.

    False when, the refusal taken out, the message still asks for something: another item by its
    position ("not this one, the second") or by what it is ("I don't want used, I want genuine").
    """
    norm = normalize_text(text)
    found = [phrase for phrase in CANCEL_PHRASES if _contains(norm, phrase)]
    if not found:
        return False
    rest = norm
    for phrase in found:
        rest = re.sub(rf"(?:^|\s){re.escape(phrase)}(?=\s|$)", " ", rest)
    return not any(w in ORDINAL_WORDS or w.isdigit() or w in STILL_WANTS for w in rest.split())


def names_a_position(text: str) -> bool:
    """ "2", "no. 2", "#3", "رقم ٣", "raqam 3 please": the customer picks a row of the list shown.

    One digit 1-9 only (a model year is never one digit), with at most the words that point at a
    row (``position_words``) and polite words around it.
    """
    words = _words(text)
    digits = [w for w in words if w.isdigit()]
    rest = [w for w in words if not w.isdigit()]
    return (
        len(digits) == 1
        and len(digits[0]) == 1
        and digits[0] != "0"
        and len(words) <= SHORT_REPLY_WORDS
        and all(w in POSITION_WORDS or w in _POLITE for w in rest)
    )


def names_personal_data(text: str) -> bool:
    """ "delete my data", "forget me", "احذف رقمي": the message is about the customer's own data."""
    return any(w in PERSONAL_DATA_WORDS for w in _words(text))


def only_fillers(text: str) -> bool:
    """A message made only of filler words ("I mean", "يعني", "ya3ni", "model"): it says nothing.

    Stricter than :func:`is_filler` (which also allows every stopword, to vet slot values):
    "hello there" or "looking for a part for my car" are stopwords, not fillers.
    """
    words = _words(text)
    return bool(words) and all(w in FILLERS for w in words)


def is_filler(text: str) -> bool:
    """Nothing but filler ("I mean", "model", "يعني", "ya3ni the"): never a part, make or model."""
    words = _words(text)
    return all(w in FILLERS or w in STOPWORDS for w in words)
