"""Matching keys: Arabizi, Arabic proclitics, plural, part numbers in Arabic digits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.normalize import (
    arabic_variants,
    fold_arabizi,
    fuzzy_key,
    normalize_part_number,
    normalize_text,
    singular,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fa7mat", "fahmat"),
        ("msa3dat", "msaadat"),
        ("5alas", "khalas"),
        ("2015", "2015"),
        ("lc200", "lc200"),
        ("x5", "x5"),
        ("y62", "y62"),
        ("9dam", "sdam"),
    ],
)
def test_arabizi_digits_before_letters_only(text, expected):
    assert fold_arabizi(text) == expected


def test_fuzzy_key_brings_spelling_variants_together():
    assert fuzzy_key("land cruser") == fuzzy_key("landcruser")
    assert fuzzy_key("nisan") == fuzzy_key("nissan")
    assert fuzzy_key("batrol") == fuzzy_key("patrol")
    assert fuzzy_key(normalize_text("Fa7mat")) == fuzzy_key("fahmat")


def test_arabic_proclitics():
    assert "لاندكروزر" in arabic_variants("للاندكروزر")
    assert "برادو" in arabic_variants("لبرادو")
    assert "فحمات" in arabic_variants("والفحمات")
    assert arabic_variants("بواجي")[0] == "بواجي"  # the word as written is always tried first
    assert arabic_variants("patrol") == ["patrol"]


def test_singular():
    assert singular("pads") == "pad" and singular("glass") == "glass" and singular("bus") == "bus"


@pytest.mark.parametrize("raw", ["04465-60320", "04465 60320", "٠٤٤٦٥-٦٠٣٢٠", "۰۴۴۶۵/۶۰۳۲۰", "04465.60320"])
def test_part_number_formats(raw):
    assert normalize_part_number(raw) == "0446560320"


@given(st.text())
def test_normalisers_never_fail(text):
    assert isinstance(normalize_text(text), str)
    assert isinstance(fuzzy_key(normalize_text(text)), str)
    assert normalize_part_number(text) == normalize_part_number(normalize_part_number(text))
