"""Digits as Gulf customers type them, and the plausible model years, in one place."""

from __future__ import annotations

from datetime import date

import pytest

from catalog.normalize import normalize_arabic, normalize_part_number
from conversation.understanding import parse_year
from shopkernel.numerals import MIN_YEAR, expand_two_digit_year, fold_digits, is_model_year, max_year

TODAY = date(2026, 6, 1)


def test_arabic_and_persian_digits_fold():
    assert fold_digits("٢٠١٥ / ۲۰۱۵ / 2015") == "2015 / 2015 / 2015"
    assert fold_digits("فحمات ٢٠١٨") == "فحمات 2018"


def test_the_catalog_keys_use_the_same_folding():
    assert normalize_part_number("٠٤٤٦٥-٦٠٣٢٠") == "0446560320"
    assert normalize_arabic("لاندكروزر ۲۰۱۵") == "لاندكروزر 2015"


@pytest.mark.parametrize(
    ("year", "ok"), [(MIN_YEAR - 1, False), (MIN_YEAR, True), (2027, True), (2028, False), (True, False)]
)
def test_model_years(year, ok):
    assert max_year(TODAY) == 2027
    assert is_model_year(year, TODAY) is ok


@pytest.mark.parametrize(
    ("yy", "year"), [(15, 2015), (27, 2027), (98, 1998), (60, 1960), (28, None), (45, None)]
)
def test_two_digit_years(yy, year):
    """The latest century not in the future; None when that is older than MIN_YEAR (2028/1928)."""
    assert expand_two_digit_year(yy, TODAY) == year


def test_the_assistant_reads_years_with_the_kernel_rule():
    assert parse_year("٢٠١٥") == 2015
    assert parse_year("15", requested=True) == 2015
    assert parse_year(str(MIN_YEAR - 1)) is None
