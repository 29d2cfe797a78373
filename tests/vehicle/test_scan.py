"""Finding VINs and frame numbers in what customers really send, and not finding other numbers."""

from __future__ import annotations

import pytest

from catalog.vehicle_ids import find_vehicle_ids, friendly_problem


def _found(text: str) -> list[tuple[str, str]]:
    return [(v.kind, v.normalized) for v in find_vehicle_ids(text)]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("my chassis is JTMHV05J504123456, need oil filter", ("vin", "JTMHV05J504123456")),
        ("رقم الشاصي GRJ200-1234567", ("frame", "GRJ200-1234567")),
        ("رقم الشاصي: JTMHV05J504123456 ابي فلتر زيت", ("vin", "JTMHV05J504123456")),
        ("الشاصيJTMHV05J504123456", ("vin", "JTMHV05J504123456")),  # glued to Arabic
        ("vin 1hgcm82633a004352 pls", ("vin", "1HGCM82633A004352")),
        ("VIN: 1HG CM826 33A 004352 thanks", ("vin", "1HGCM82633A004352")),  # typed in groups
        ("chassis no. 1HGCM82633A004352.", ("vin", "1HGCM82633A004352")),
        ("frame grj200 1234567 brake pads", ("frame", "GRJ200-1234567")),
        ("Frame: URJ202W-4012345", ("frame", "URJ202W-4012345")),
        ("هذا رقم الهيكل GRJ2001234567", ("frame", "GRJ200-1234567")),
        ("رقم الشاصي ١HGCM٨٢٦٣٣A٠٠٤٣٥٢", ("vin", "1HGCM82633A004352")),  # Arabic-Indic digits
        ("chassis GRJ200–1234567 (from the mulkiya)", ("frame", "GRJ200-1234567")),  # phone en dash
        ("need pads for ABC123-1234567", ("frame", "ABC123-1234567")),  # unknown code, still a frame
    ],
)
def test_vehicle_number_is_found_in_the_message(message, expected):
    assert _found(message)[0] == expected


def test_ocr_text_with_lookalikes_is_found_and_repaired():
    ocr = "UNITED ARAB EMIRATES\nVehicle License\nChassis No. 1HGCM82633AOO4352\nEngine 123"
    vid = find_vehicle_ids(ocr)[0]
    assert vid.normalized == "1HGCM82633A004352" and vid.valid and vid.make == "Honda"


@pytest.mark.parametrize(
    "message",
    [
        "part number 04465-60320 please",
        "call me +971 50 123 4567",
        "my number 0501234567",
        "971501234567",
        "camry 2015 brake pads",
        "land cruiser 2018 V8 5.7",
        "V6 20000 km oil service",
        "toyota part 90915-YZZD4 and 04152-YZZA6",
        "mitsubishi MR955077 filter",
        "Nissan 15208-65F0E",
        "order #12345678 for 2 x 04465-60320",
        "SU003-00401",
        "I misunderstandings everything",
        "price 1,250 AED, 5% VAT",
        "",
    ],
)
def test_part_numbers_phones_years_and_words_are_not_vehicle_numbers(message):
    assert find_vehicle_ids(message) == []


def test_valid_numbers_come_before_broken_ones():
    text = "old one 1HGCM82643A004352 sorry correct is 1HGCM82633A004352"
    found = find_vehicle_ids(text)
    assert [v.normalized for v in found] == ["1HGCM82633A004352", "1HGCM82643A004352"]
    assert found[0].valid and not found[1].valid


def test_vin_and_frame_in_one_message_are_both_returned():
    found = _found("LC200 GRJ200-1234567 and my camry 4T1BF1FK6CU012345")
    assert ("vin", "4T1BF1FK6CU012345") in found and ("frame", "GRJ200-1234567") in found


def test_same_number_twice_is_returned_once():
    assert len(find_vehicle_ids("JTMHV05J504123456 / jtmhv05j504123456")) == 1


def test_vin_with_a_missing_character_is_found_so_the_bot_can_say_what_is_wrong():
    found = find_vehicle_ids("chassis JTMHV05J50412345 please")
    assert len(found) == 1
    assert found[0].problem == "length" and found[0].make == "Toyota"
    assert "16" in friendly_problem(found[0])


def test_scan_rejects_non_strings():
    with pytest.raises(TypeError):
        find_vehicle_ids(b"JTMHV05J504123456")  # type: ignore[arg-type]
