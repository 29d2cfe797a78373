"""Model years as customers write them, read into four-digit years in the catalog's range.

"2015", "٢٠١٥", "14 model", "model 18", "موديل ١٧", "m2016", "2k19", "'16", "16'", "twenty twenty",
"twenty nineteen", "two thousand fifteen" are years wherever they stand; a bare "15" is a year
only when it answers "which year?". Two digits become 20yy when that is in the catalog's range
(``YearRange``), else 19yy; a year outside the range is not a year.

"2016 not 2015", "مو 2015 2016" are corrections: a year right after a negation is the wrong one,
and with two years left the one that differs from the current value wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from conversation.words import NEGATIONS, YEAR_MARKERS

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
# "twenty twenty", "nineteen ninety eight", "twenty twenty-one", "two thousand (and) fifteen"
_SPOKEN = re.compile(
    rf"\b(?:(?P<century>twenty|nineteen)[\s-]+(?P<yy1>(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))?)"
    rf"|two[\s-]+thousand(?:[\s-]+and)?(?:[\s-]+(?P<yy2>(?:{_NUMBER_WORD})(?:[\s-]+(?:{_NUMBER_WORD}))?))?)\b"
)
_TOKEN = re.compile(r"['’‘`]\d{2}\b|\b\d{2}['’‘`]|[^\W_]+")
_FOUR = re.compile(r"^(?:19|20)\d\d$")
_K_YEAR = re.compile(r"^2k(\d{2})$")  # 2k19
_GLUED = re.compile(r"^(?:m|my|model|mod|موديل|مودل)(\d{2}|\d{4})$")  # m2016, my18, موديل2017


@dataclass(frozen=True)
class YearRange:
    """The model years the catalog covers (fitments' first and last year)."""

    first: int = 1950
    last: int = date.today().year + 1

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.first <= year <= self.last

    def from_two_digits(self, yy: int) -> int | None:
        """``15`` -> 2015, ``98`` -> 1998: the century that puts the year in range (2000s first)."""
        for year in (2000 + yy, 1900 + yy):
            if year in self:
                return year
        return None


def _spoken_number(words: str) -> int | None:
    parts = [w for w in re.split(r"[\s-]+", words) if w]
    if len(parts) == 1:
        return _UNITS.get(parts[0], _TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and 0 < _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


def _spoken_years(text: str) -> list[tuple[int, int]]:
    """(position, year) of years written in English words."""
    found = []
    for m in _SPOKEN.finditer(text):
        if m.group("century"):
            yy = _spoken_number(m.group("yy1"))
            if yy is None or yy >= 100:
                continue
            year = (2000 if m.group("century") == "twenty" else 1900) + yy
        else:
            yy = _spoken_number(m.group("yy2")) if m.group("yy2") else 0
            if yy is None:
                continue
            year = 2000 + yy
        found.append((m.start(), year))
    return found


def _year_of_token(token: str, before: str | None, after: str | None, span: YearRange) -> int | None:
    """The year one token stands for, given its neighbours ("14 model", "model 14")."""
    if _FOUR.match(token):
        year = int(token)
        return year if year in span else None
    k = _K_YEAR.match(token)
    if k:
        return span.from_two_digits(int(k.group(1)))
    glued = _GLUED.match(token)
    if glued:
        digits = glued.group(1)
        if len(digits) == 4:
            return int(digits) if int(digits) in span else None
        return span.from_two_digits(int(digits))
    apostrophe = token.strip("'’‘`")
    if apostrophe != token and apostrophe.isdigit() and len(apostrophe) == 2:
        return span.from_two_digits(int(apostrophe))
    if token.isdigit() and len(token) == 2 and (before in YEAR_MARKERS or after in YEAR_MARKERS):
        return span.from_two_digits(int(token))
    return None


def years_in(text: str, span: YearRange | None = None) -> list[tuple[int, int, bool]]:
    """Every year in the text: (position, year, negated) in text order."""
    span = span or YearRange()
    folded = (text or "").translate(_DIGITS).lower()
    tokens = [(m.start(), m.group(0)) for m in _TOKEN.finditer(folded)]
    words = [t for _, t in tokens]
    found: list[tuple[int, int, bool]] = []
    for i, (pos, token) in enumerate(tokens):
        before = words[i - 1] if i else None
        after = words[i + 1] if i + 1 < len(words) else None
        year = _year_of_token(token, before, after, span)
        if year is not None:
            found.append((pos, year, _negated(words[max(0, i - 2) : i])))
    for pos, year in _spoken_years(folded):
        if year in span:
            earlier = folded[:pos].split()
            found.append((pos, year, _negated(earlier[-2:])))
    return sorted(found)


def _negated(before: list[str]) -> bool:
    """ "not 2015", "mo 2015", "instead of 2015", "بدل 2015" """
    return bool(before) and (before[-1] in NEGATIONS or before == ["instead", "of"])


def year_said(text: str, current: str | int | None = None, span: YearRange | None = None) -> int | None:
    """The model year a message gives, understanding corrections ("2016 not 2015")."""
    kept = list(dict.fromkeys(year for _, year, negated in years_in(text, span) if not negated))
    current_year = int(current) if current is not None and str(current).isdigit() else None
    if len(kept) > 1 and current_year in kept:
        kept.remove(current_year)
    return kept[-1] if kept else None


def answer_year(text: str, span: YearRange | None = None) -> int | None:
    """A reply to "which year?": a year anywhere, or a bare two-digit number ("15", "'15")."""
    span = span or YearRange()
    year = year_said(text, None, span)
    if year is not None:
        return year
    bare = re.fullmatch(r"\s*['’‘`]?(\d{2})['’‘`]?\s*", (text or "").translate(_DIGITS))
    return span.from_two_digits(int(bare.group(1))) if bare else None


def parse_year(value: str | int, requested: bool = False, span: YearRange | None = None) -> int | None:
    """A four-digit year from a slot candidate ("2015", "٢٠١٥", "2k19"; "15" when it was asked for)."""
    text = str(value)
    return answer_year(text, span) if requested else year_said(text, None, span)
