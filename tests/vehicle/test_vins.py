"""VIN validation and offline decoding over VINs of the makes the shop sells.

Check digits below were computed when the table was written and cross-checked with
vininfo's own ``verify_checksum`` (an independent implementation), see
``test_table_check_digits_agree_with_vininfo``.
"""

from __future__ import annotations

import pytest
from vininfo import Vin

from catalog.vehicle_ids import check_digit, decode, model_years

THIS_YEAR = 2025

# (VIN, canonical make, year when the VIN alone fixes it — North America — else None)
VALID_VINS = [
    # published test vectors (carparts-domain.md §1)
    ("1HGCM82633A004352", "Honda", 2003),
    ("1M8GDM9AXKP042788", None, 1989),
    ("KNDCE3LG2L5073161", "Kia", None),
    ("JF1GPAD60D1803590", "Subaru", None),
    ("LJCPCBLCX11000237", None, 2001),
    # Toyota / Lexus
    ("JTEBU5JR5A5012345", "Toyota", None),
    ("JT3HN86R5X0012345", "Toyota", None),
    ("JTMHY7AJ1D4012345", "Toyota", None),
    ("4T1BF1FK6CU012345", "Toyota", 2012),
    ("5TDBY5G16CS012345", "Toyota", 2012),
    ("2T3ZF4DV2BW012345", "Toyota", 2011),
    ("5TFDW5F1XEX012345", "Toyota", 2014),
    ("4T1BG22K6YU012345", "Toyota", 2000),
    ("MR0FX22G501012345", "Toyota", None),
    ("JTJHY7AXXD4012345", "Lexus", None),
    ("2T2BK1BA7DC012345", "Lexus", 2013),
    ("JTHBK1GG7E2012345", "Lexus", None),
    # Nissan
    ("JN8AY2NC5H9012345", "Nissan", None),
    ("JN1TANY63U0012345", "Nissan", None),
    ("1N4AL3AP0DC012345", "Nissan", 2013),
    ("5N1AR2MM9EC012345", "Nissan", 2014),
    ("3N1AB7AP5HY012345", "Nissan", 2017),
    # Mitsubishi
    ("JA4AZ3A37HZ012345", "Mitsubishi", None),
    ("4A32B2FFXAE012345", "Mitsubishi", 2010),
    ("ML32A3HJ2FH012345", "Mitsubishi", None),
    ("JMYLYV985EJ000123", "Mitsubishi", None),
    # Hyundai / Kia
    ("KMHD841C9MU012345", "Hyundai", None),
    ("KMHCT4AE9GU012345", "Hyundai", None),
    ("5NPE24AF7FH012345", "Hyundai", 2015),
    ("KM8J33A48GU012345", "Hyundai", None),
    ("KNADM4A37D6012345", "Kia", None),
    ("KNDPB3AC0F7012345", "Kia", None),
    ("5XYKT3A69DG012345", "Kia", 2013),
    ("KNAFK4A65F5012345", "Kia", None),
    # Honda
    ("JHMGE8H3XAC012345", "Honda", None),
    ("5FNYF6H52HB012345", "Honda", 2017),
    ("2HGFC2F53HH012345", "Honda", 2017),
    ("19XFC2F52GE012345", "Honda", 2016),
    # Chevrolet / GMC
    ("1GNSKBKC2FR012345", "Chevrolet", 2015),
    ("3GCUKREC7EG012345", "Chevrolet", 2014),
    ("1GCVKREC1EZ012345", "Chevrolet", 2014),
    ("1G1ZT53826F109149", "Chevrolet", 2006),
    ("1GKS2CKJ9GR012345", "GMC", 2016),
    ("1GTV2LEC3FZ012345", "GMC", 2015),
    ("1GKKNXLSXHZ012345", "GMC", 2017),
    # Ford
    ("1FMJU1JTXFE012345", "Ford", 2015),
    ("1FTFW1EF8EF012345", "Ford", 2014),
    ("1FM5K8GT7EG012345", "Ford", 2014),
    ("MNBUS4DH7FW012345", "Ford", None),
    # Mercedes-Benz / BMW / Land Rover
    ("WDB4632481X123456", "Mercedes-Benz", None),
    ("WDDNG7DBXDA012345", "Mercedes-Benz", None),
    ("W1N4632721X123456", "Mercedes-Benz", None),
    ("4JGDA5HB8DA012345", "Mercedes-Benz", 2013),
    ("WBAFR7C56BC012345", "BMW", None),
    ("WBSWD9359PP012345", "BMW", None),
    ("5UXKR0C5XE0012345", "BMW", 2014),
    ("SALGS2EF1DA012345", "Land Rover", None),
    ("SALLDHMFX7A012345", "Land Rover", None),
    ("LGXCE4CB2N0123456", "BYD", 2022),
]


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


# --------------------------------------------------------------------------- forbidden letters, length, format
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
    [("JTMHV05J50412345", 16), ("1HGCM82633A0043521", 18), ("KMHD841C9MU01234", 16), ("WDB4632481X12345", 16)],
)
def test_wrong_length_is_reported_with_the_make_when_the_wmi_is_known(typed, length):
    vid = decode(typed)
    assert not vid.valid and vid.problem == "length"
    assert len(vid.normalized) == length
    assert vid.make is not None


@pytest.mark.parametrize("typed", ["1HGCM8263#A004352", "JTMHV05J5041234$6", "هذا ليس رقم شاصي"])
def test_characters_that_never_appear_in_a_vin_are_a_format_problem(typed):
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
