"""Model years inside a customer's text: "2015", "2008-2014", "model 15", "موديل 15"."""

from __future__ import annotations

import re

from shopkernel.numerals import MIN_YEAR, expand_two_digit_year, is_model_year

__all__ = ["MIN_YEAR", "extract_year", "extract_year_range", "is_year"]
_YEAR_WORDS = r"(?:model|modal|mdl|year|yr|m|موديل|مودل|موديلات|سنه|سنة|سنت)"
_TWO_DIGIT_YEAR = re.compile(rf"(?:^|\s){_YEAR_WORDS}\s*(\d{{2}})(?=\s|$)")
_YEAR_RANGE = re.compile(r"(?<![\w-])((?:19|20)\d\d)\s*(?:-|–|/|to|الى|إلى)\s*((?:19|20)?\d\d)(?![\w-])")
GLUED_YEAR = re.compile(r"([^\W\d_]{3,})((?:19|20)\d\d)(?!\d)")


def is_year(s: str) -> bool:
    return s.isdigit() and len(s) == 4 and is_model_year(int(s))


def extract_year_range(raw: str) -> tuple[str, int | None]:
    m = _YEAR_RANGE.search(raw)
    if m and is_year(m.group(1)):
        return raw[: m.start()] + " " + raw[m.end() :], int(m.group(1))
    return raw, None


def extract_year(norm: str) -> tuple[str, int | None]:
    """Four-digit year anywhere; two-digit year only after "model"/"موديل" ("model 15" -> 2015).

    Bare two-digit numbers are never years: "lc 70", "x5", "f 150" are model names.
    """
    tokens = norm.split()
    for i, token in enumerate(tokens):
        if is_year(token):
            return " ".join(tokens[:i] + tokens[i + 1 :]), int(token)
    m = _TWO_DIGIT_YEAR.search(norm)
    if m:
        year = expand_two_digit_year(int(m.group(1)))
        if year is not None:
            return (norm[: m.start(1)] + norm[m.end(1) :]).strip(), year
    return norm, None
