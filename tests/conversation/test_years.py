"""Years as people write them, read into the catalog's range."""

from __future__ import annotations

import pytest

from conversation.years import YearRange, answer_year, year_said

CATALOG = YearRange(1998, 2026)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("pads for corolla 14 model", 2014), ("model 18", 2018), ("موديل ١٧", 2017), ("2k19", 2019),
        ("camry '16", 2016), ("prado 16' brake pads", 2016), ("twenty twenty", 2020),
        ("land cruiser twenty nineteen", 2019), ("two thousand fifteen", 2015), ("m2016", 2016),
        ("nineteen ninety nine", 1999), ("twenty twenty-one pads", 2021), ("سنة ١٩", 2019),
        ("fa7mat corolla modeel 16", 2016), ("٢٠١٥", 2015), ("x5 2019", 2019), ("16 model camry", 2016),
    ],
)  # fmt: skip
def test_year_written_any_way(text, year):
    assert year_said(text, None, CATALOG) == year


@pytest.mark.parametrize(
    "text", ["lc 70", "f 150", "GRJ200-1234567", "year 2040", "x5", "need 2 pads", "1995"]
)
def test_numbers_that_are_not_years_in_range(text):
    assert year_said(text, None, CATALOG) is None


def test_corrections_take_the_year_not_negated():
    assert year_said("sorry 2016 not 2015", "2015", CATALOG) == 2016
    assert year_said("not 2015, 2016", "2015", CATALOG) == 2016
    assert year_said("لا مو 2016 2017", "2016", CATALOG) == 2017
    assert year_said("2016 2017", "2016", CATALOG) == 2017  # the one that differs from the current year


def test_two_digits_answering_which_year_use_the_catalogs_range():
    assert answer_year("15", CATALOG) == 2015
    assert answer_year("'09", CATALOG) == 2009
    assert answer_year("99", CATALOG) == 1999
    assert answer_year("70", CATALOG) is None  # neither 2070 nor 1970 is in the catalog
    assert answer_year("03", YearRange(2005, 2026)) is None
