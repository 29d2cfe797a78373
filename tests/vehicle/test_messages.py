"""The explanation a customer gets for a chassis number that cannot be right."""

from __future__ import annotations

import pytest

from catalog.vehicle_ids import decode, friendly_problem
from shopkernel.language import has_arabic


def test_length_message_says_how_many_characters_were_sent():
    vid = decode("JTMHV05J50412345")
    assert "16 characters" in friendly_problem(vid) and "17" in friendly_problem(vid)
    ar = friendly_problem(vid, "ar")
    assert has_arabic(ar) and "16" in ar and "17" in ar


def test_forbidden_letter_message_names_the_letter_and_the_digit():
    vid = decode("1HGCM82633A00435O")
    text = friendly_problem(vid)
    assert "has O" in text and "digit 0" in text
    assert "O" in friendly_problem(vid, "ar") and has_arabic(friendly_problem(vid, "ar"))


def test_check_digit_message_points_at_the_9th_character_and_offers_a_photo():
    vid = decode("1HGCM82643A004352")
    assert vid.problem == "check_digit"
    text = friendly_problem(vid)
    assert "9th" in text and "photo" in text
    assert "التاسعة" in friendly_problem(vid, "ar")


@pytest.mark.parametrize(
    ("typed", "example"), [("hello!", "JTMHV05J504123456"), ("GRJ200-12", "GRJ200-1234567")]
)
def test_format_message_shows_what_a_good_number_looks_like(typed, example):
    vid = decode(typed)
    assert vid.problem == "format"
    assert example in friendly_problem(vid) and example in friendly_problem(vid, "ar")


def test_frame_format_message_talks_about_the_serial_not_the_vin():
    text = friendly_problem(decode("GRJ200-12"))
    assert "after the dash" in text and "17" not in text


def test_no_problem_means_no_message_and_unknown_language_falls_back_to_english():
    assert friendly_problem(decode("1HGCM82633A004352")) == ""
    assert friendly_problem(decode("JTMHV05J50412345"), "fr") == friendly_problem(decode("JTMHV05J50412345"))
