"""Fact checks on model output: the model may reword, never add a number.

Part numbers, prices, stock figures, years all reach text as tokens containing digits
("04465-60320", "1,250.00", "٣", "GRJ200"), so a fact here is any such token. Each gets a
comparison key: numbers by value (``1,250.00`` = ``1250`` = ``١٢٥٠``), codes by the
catalog's part-number normal form (``04465 60320``-style separators dropped, upper case).
Numbers spelt as words ("two hundred", "مية") are also caught, because a model asked not
to change figures sometimes writes them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from catalog.normalize import normalize_arabic

_DIGITS = "0-9\u0660-\u0669\u06f0-\u06f9"
_ALNUM = f"A-Za-z{_DIGITS}"
_TOKEN = re.compile(rf"[{_ALNUM}]+(?:[-./,:\u066b\u066c][{_ALNUM}]+)*")
_HAS_DIGIT = re.compile(rf"[{_DIGITS}]")
_PLAIN_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_UNIT = re.compile(r"^(?:(AED|DHS?|DIRHAMS?|X)(\d[\d,.]*)|(\d[\d,.]*)(AED|DHS?|DIRHAMS?|PCS|X))$", re.I)
_LEADING_ZERO = re.compile(r"^0\d")
_CODE_SEPARATORS = re.compile(r"[-./,:_]")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Number words whose appearance would smuggle in a figure. "one"/"واحد" are left out:
# "this one", "someone" are ordinary wording, not quantities.
_EN_NUMBER_WORDS = """
    two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred hundreds thousand thousands million half dozen
"""
_AR_NUMBER_WORDS = """
    اثنين اثنان اتنين ثنين ثلاث ثلاثة تلات تلاتة اربع اربعة خمس خمسة ست ستة سبع سبعة ثمان
    ثمانية تمانية تسع تسعة عشر عشرة عشرين ثلاثين اربعين خمسين ستين سبعين ثمانين تسعين مية
    مائة مئة ميه مئتين ميتين الف الاف آلاف ألف مليون نص نصف
"""
NUMBER_WORDS = frozenset(_EN_NUMBER_WORDS.split()) | frozenset(  # noqa: SIM905 - readable word lists
    normalize_arabic(w)
    for w in _AR_NUMBER_WORDS.split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Fact:
    """A digit-bearing token found in text, with the key it is compared by."""

    raw: str
    key: str
    is_number: bool
    start: int
    end: int


@dataclass(frozen=True)
class FactCheck:
    """Verdict of :func:`check_facts`: ``ok`` only if nothing is unknown or missing."""

    ok: bool
    unknown: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def _fold_digits(text: str) -> str:
    return normalize_arabic(text).replace("\u066b", ".").replace("\u066c", ",")


def fact_key(token: str) -> tuple[str, bool]:
    """Comparison key of one token, and whether it is a plain number."""
    folded = _fold_digits(token).upper()
    unit = _UNIT.match(folded)
    if unit:
        folded = unit.group(2) or unit.group(3)
        folded = folded.rstrip(".,")
    # A leading zero ("04465", "08") marks a code or a short year, not an amount.
    if _PLAIN_NUMBER.match(folded) and not _LEADING_ZERO.match(folded):
        try:
            value = Decimal(folded.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the regex admits only valid numbers
            pass
        else:
            normal = value.normalize()
            text = format(normal, "f")
            return text, True
    return _CODE_SEPARATORS.sub("", folded), False


def extract_facts(text: str) -> list[Fact]:
    """Every digit-bearing token in ``text``, in order."""
    facts = []
    for match in _TOKEN.finditer(text or ""):
        raw = match.group(0).strip(".,:-/")
        if not raw or not _HAS_DIGIT.search(raw):
            continue
        key, is_number = fact_key(raw)
        facts.append(Fact(raw, key, is_number, match.start(), match.start() + len(raw)))
    return facts


def number_words(text: str) -> set[str]:
    """Number words (English, Arabic) present in ``text``, normalised."""
    words = {normalize_arabic(w.lower()) for w in _WORD.findall(text or "")}
    found = words & NUMBER_WORDS
    # Arabic attaches و/ب/ال: "وخمسين", "بالف", "الالف".
    for word in words - found:
        for prefix in ("وال", "بال", "و", "ب", "ال"):
            if word.startswith(prefix) and word[len(prefix) :] in NUMBER_WORDS:
                found.add(word[len(prefix) :])
                break
    return found


def _keys_of(values: Iterable[object]) -> tuple[set[str], set[str]]:
    keys: set[str] = set()
    words: set[str] = set()
    for value in values:
        if value is None:
            continue
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        found = extract_facts(text)
        if found:
            keys.update(f.key for f in found)
        elif text.strip():
            keys.add(fact_key(text.strip())[0])
        words |= number_words(text)
    return keys, words


def _known(fact: Fact, allowed: set[str]) -> bool:
    """Known as a whole, or a range/list of known figures ("9:00-21:00", "2/4")."""
    if fact.key in allowed:
        return True
    pieces = [p for p in re.split(r"[-/]", fact.raw) if p]
    return len(pieces) > 1 and all(fact_key(p)[0] in allowed for p in pieces)


def check_facts(reply_text: str, facts: Iterable[object], *, required: Iterable[object] = ()) -> FactCheck:
    """Reject model text that states a figure the catalog result does not contain.

    ``facts`` are the catalog values the reply may mention (part numbers, prices, stock
    counts, years, the shop's phone number...), as strings or numbers, or whole strings of
    canned text to take them from. ``required`` are figures that must survive the rewrite
    unchanged (normally the facts of the canned reply being softened).
    """
    allowed, allowed_words = _keys_of(facts)
    needed, _ = _keys_of(required)
    found = extract_facts(reply_text)
    unknown = [f.raw for f in found if not _known(f, allowed)]
    unknown += sorted(number_words(reply_text) - allowed_words)
    present = {f.key for f in found}
    missing = sorted(needed - present)
    return FactCheck(ok=not unknown and not missing, unknown=tuple(unknown), missing=tuple(missing))
