"""VIN validation and offline decoding over VINs of the makes the shop sells."""

from __future__ import annotations

import pytest
from vininfo import Vin

from catalog.vehicle_ids import check_digit, decode, model_years
from tests.vehicle.vin_samples import VALID_VINS

THIS_YEAR = 2025


def test_table_is_big_enough_and_covers_the_catalog_makes():
    makes = {make for _, make, _ in VALID_VINS}
    assert len(VALID_VINS) >= 40
    assert {"Toyota", "Lexus", "Nissan", "Mitsubishi", "Hyundai", "Kia", "Honda", "Chevrolet", "GMC",
            "Ford", "Mercedes-Benz", "BMW", "Land Rover"} <= makes


@pytest.mark.parametrize("vin", [v for v, _, _ in VALID_VINS])
def test_table_check_digits_agree_with_vininfo(vin):
    assert Vin(vin).verify_checksum(check_year=False)
    assert check_digit(vin) == vin[8]


@pytest.mark.parametrize(("vin", "make", "year"), VALID_VINS)
def test_valid_vin_decodes_make_and_only_a_certain_year(vin, make, year):
    vid = decode(vin, this_year=THIS_YEAR)
    assert vid.kind == "vin"
    assert vid.valid and vid.problem is None
    assert vid.normalized == vin
    assert vid.make == make
    assert vid.year == year
    assert vid.repaired_from is None
    if year is not None:
        assert vid.year_candidates == (year,)


def test_gcc_toyota_vin_gives_make_but_no_year_so_the_bot_asks():
    vid = decode("JTMHV05J504123456", this_year=THIS_YEAR)
    assert vid.valid and vid.make == "Toyota" and vid.country == "Japan"
    assert vid.year is None and vid.year_candidates == ()
    assert any("check digit" in w for w in vid.warnings)  # kept, only a warning outside NA/China
    assert any("model year" in w for w in vid.warnings)


def test_wmi_slips_in_vininfo_are_corrected():
    # vininfo maps JM* to Mazda and KMH to Genesis; in the Gulf these are Pajeros and Hyundais
    assert decode("JMYLYV985EJ000123").make == "Mitsubishi"
    assert decode("KMHD841C9MU012345").make == "Hyundai"
    assert decode("WDDNG7DBXDA012345").make == "Mercedes-Benz"  # vininfo: "DaimlerChrysler AG/Daimler AG"
    assert decode("WBSWD9359PP012345").make == "BMW"  # vininfo: "BMW M"


# --------------------------------------------------------------------------- check digit
@pytest.mark.parametrize(
    "vin",
    ["5YJ3E1EA7JF000000", "1HGCM82643A004352", "1FTFW1EF1EF012345", "4T1BF1FK7CU012345",
     "LGXCE4CB3N0123456", "2HGFC2F50HH012345"],
)
def test_wrong_check_digit_rejects_north_american_and_chinese_vins(vin):
    vid = decode(vin)
    assert not vid.valid
    assert vid.problem == "check_digit"
    assert vid.normalized == vin  # the customer's reading is kept for the retry message


@pytest.mark.parametrize(
    ("vin", "make"),
    [("JTMHY7AJ2D4012345", "Toyota"), ("WDB4632401X123456", "Mercedes-Benz"),
     ("SALGS2EF9DA012345", "Land Rover"), ("KMHD841C1MU012345", "Hyundai"), ("JN8AY2NC0H9012345", "Nissan")],
)
def test_wrong_check_digit_elsewhere_is_only_a_warning(vin, make):
    vid = decode(vin)
    assert vid.valid and vid.problem is None
    assert vid.make == make
    assert "check digit does not match (not binding outside North America/China)" in vid.warnings


def test_check_digit_x_for_remainder_ten():
    assert check_digit("1M8GDM9A0KP042788") == "X"
    assert decode("1M8GDM9AXKP042788").valid


# --------------------------------------------------------------------------- letters, length, format
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1HGCM82633AOO4352", "1HGCM82633A004352"),  # O for 0
        ("1HGCM82633A0O4352", "1HGCM82633A004352"),
        ("IHGCM82633A004352", "1HGCM82633A004352"),  # I for 1
        ("1GNSKBKC2FR0I2345", "1GNSKBKC2FR012345"),
        ("1FTFW1EF8EFQ12345", "1FTFW1EF8EF012345"),  # Q for 0
        ("LGXCE4CB2NO123456", "LGXCE4CB2N0123456"),  # Chinese: check digit binding too
    ],
)
def test_forbidden_letters_are_read_as_digits_when_the_check_digit_agrees(typed, expected):
    vid = decode(typed)
    assert vid.valid and vid.normalized == expected
    assert vid.repaired_from == typed
    assert vid.make is not None


def test_forbidden_letters_outside_north_america_are_undone_without_a_check_digit():
    vid = decode("JTMHVO5J5O4123456")
    assert vid.valid and vid.normalized == "JTMHV05J504123456"
    assert vid.repaired_from == "JTMHVO5J5O4123456"
    assert vid.make == "Toyota"


def test_forbidden_letter_that_the_check_digit_cannot_explain_is_reported():
    vid = decode("1HGCM82633A00435O")  # O→0 gives 1HGCM82633A004350: check digit fails
    assert not vid.valid
    assert vid.problem == "forbidden_letters"


@pytest.mark.parametrize(
    ("typed", "length"),
    [("JTMHV05J50412345", 16), ("1HGCM82633A0043521", 18), ("KMHD841C9MU01234", 16),
     ("WDB4632481X12345", 16)],
)
def test_wrong_length_is_reported_with_the_make_when_the_wmi_is_known(typed, length):
    vid = decode(typed)
    assert not vid.valid and vid.problem == "length"
    assert len(vid.normalized) == length
    assert vid.make is not None


@pytest.mark.parametrize(
    "typed",
    ["1HGCM8263#A004352", "JTMHV05J5041234$6", "هذا ليس رقم شاصي", "LC200", "", "1HGCM82633A0043521234567"],
)
def test_text_that_is_no_vin_at_all_is_a_format_problem(typed):
    vid = decode(typed)
    assert not vid.valid and vid.problem == "format"


@pytest.mark.parametrize(
    "typed",
    ["1hgcm82633a004352", "1HG CM826 33A004352", "1HG-CM826-33A-004352", " 1HGCM82633A004352 ",
     "1HG.CM826.33A004352", "１ＨＧＣＭ８２６３３Ａ００４３５２"],
)
def test_case_spaces_dashes_dots_and_fullwidth_are_normalised(typed):
    vid = decode(typed)
    assert vid.valid and vid.normalized == "1HGCM82633A004352"
    assert vid.make == "Honda" and vid.year == 2003
    assert vid.raw == typed


def test_decode_rejects_non_strings_with_a_clear_error():
    with pytest.raises(TypeError, match="string"):
        decode(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- model year rules
def test_position_7_rule_picks_the_cycle_in_north_america():
    # pos 10 "A" is 1980 or 2010: a digit at pos 7 means the older cycle, a letter the newer
    assert model_years("1G1AB12X5AA012345", 2025)[0] == (1980,)
    assert model_years("1G1ABCDX5AA012345", 2025)[0] == (2010,)


def test_future_cycle_is_not_offered():
    years, _ = model_years("KMHD841C9MU012345", 2025)
    assert years == (2021, 1991)  # Korea: both past cycles, newest first; 2051 is not offered


def test_year_code_outside_the_table_gives_no_year():
    years, warnings = model_years("1HGCM8263UA004352", 2025)
    assert years == () and warnings
