"""OCR and typing look-alikes (O/0, I/1, Q/0, S/5, B/8, Z/2, G/6) resolved with the check digit."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from catalog.vehicle_ids import check_digit_binding, decode, repair_lookalikes
from tests.vehicle.vin_samples import VALID_VINS

LETTER_FOR = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}
BINDING = [v for v, _, _ in VALID_VINS if check_digit_binding(v)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1HGCM82633A0043S2", "1HGCM82633A004352"),  # S for 5 in the serial
        ("4T1BF1FKGCU012345", "4T1BF1FK6CU012345"),  # G for 6 as the check digit
        ("5FNYF6H5ZHB012345", "5FNYF6H52HB012345"),  # Z for 2 as the check digit
        ("1GKS2CKJ9GR01234S", "1GKS2CKJ9GR012345"),
        ("1FTFW1EFBEF012345", "1FTFW1EF8EF012345"),  # B for 8 as the check digit
        ("LGXCE4CB2N01Z3456", "LGXCE4CB2N0123456"),
    ],
)
def test_lookalike_letter_where_only_a_digit_can_stand_is_repaired(typed, expected):
    vid = decode(typed)
    assert vid.valid and vid.normalized == expected
    assert vid.repaired_from == typed
    assert any(w.startswith("read ") for w in vid.warnings)


def test_lookalike_in_the_model_part_is_suggested_not_guessed():
    # B for 8 at position 6: one swap passes the check digit, but a random typo would too
    # one time in eleven, so the bot asks instead of silently changing the customer's VIN.
    vid = decode("1HGCMB2633A004352")
    assert not vid.valid and vid.problem == "check_digit"
    assert vid.suggestions == ("1HGCM82633A004352",)
    assert repair_lookalikes("1HGCMB2633A004352")[0] == "1HGCM82633A004352"


def test_typo_that_is_no_lookalike_is_not_repaired_into_another_vin():
    vid = decode("1HGCM82633A00435O")  # O→0 gives ...4350, which fails; 8→B would pass by chance
    assert not vid.valid and vid.problem == "forbidden_letters"
    assert vid.normalized == "1HGCM82633A00435O"


def test_gcc_vin_with_a_lookalike_serial_is_repaired_when_the_check_digit_confirms_it():
    vid = decode("WDB4632481X12345G")
    assert vid.valid and vid.normalized == "WDB4632481X123456" and vid.make == "Mercedes-Benz"


def test_repair_returns_nothing_for_wrong_length_or_symbols():
    assert repair_lookalikes("1HGCM82633A00435") == []
    assert repair_lookalikes("1HGCM82633A0043#2") == []


def test_repair_keeps_an_already_valid_vin_first():
    assert repair_lookalikes("1HGCM82633A004352")[0] == "1HGCM82633A004352"


def test_repair_orders_fewer_changes_first():
    readings = repair_lookalikes("1HGCMB2633A004352")
    changes = [sum(a != b for a, b in zip("1HGCMB2633A004352", r, strict=True)) for r in readings]
    assert changes == sorted(changes)


@given(
    vin=st.sampled_from(BINDING),
    position=st.integers(min_value=12, max_value=16),
)
def test_any_serial_digit_misread_as_its_lookalike_letter_is_restored(vin, position):
    digit = vin[position]
    assume(digit in LETTER_FOR)
    typed = vin[:position] + LETTER_FOR[digit] + vin[position + 1:]
    vid = decode(typed)
    assert vid.valid
    assert vid.normalized == vin
