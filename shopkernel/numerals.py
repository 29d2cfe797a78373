"""Digits as customers type them, and which model years are plausible.

Gulf customers mix Arabic-Indic (٠١٢…) and Persian (۰۱۲…) digits with Latin ones; every
parser folds them first so that "٢٠١٥" and "2015" are the same year.
"""

from __future__ import annotations

from datetime import date

ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
DIGIT_FOLD = str.maketrans(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS, "0123456789" * 2)

MIN_YEAR = 1950  # older cars are not in any catalog we sell for


def fold_digits(text: str) -> str:
    """``"٢٠١٥"`` and ``"۲۰۱۵"`` -> ``"2015"``; everything else unchanged."""
    return text.translate(DIGIT_FOLD)


def max_year(today: date | None = None) -> int:
    """Next year's models are already on the road in the Gulf."""
    return (today or date.today()).year + 1


def is_model_year(year: int, today: date | None = None) -> bool:
    """``MIN_YEAR <= year <= max_year()``; booleans are not years."""
    return isinstance(year, int) and not isinstance(year, bool) and MIN_YEAR <= year <= max_year(today)


def expand_two_digit_year(yy: int, today: date | None = None) -> int | None:
    """``15`` -> 2015, ``98`` -> 1998: the latest century that is not in the future.

    ``None`` when the result would be older than :data:`MIN_YEAR` (``"45"`` -> 1945).
    """
    year = 2000 + yy if 2000 + yy <= max_year(today) else 1900 + yy
    return year if year >= MIN_YEAR else None
