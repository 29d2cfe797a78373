"""Chassis numbers read from generated registration-card photos, through real Tesseract."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from catalog.vehicle_ids import check_digit_ok
from media.chassis_photo import ocr_repairs, read_chassis_numbers, vin_runs
from media.errors import CorruptMedia, EngineTimeout
from tests.media.cards import MAKES, Distortion, card_photo, make_vin

pytestmark = pytest.mark.slow


def _vin(seed: int, wmi: str = "JTM") -> str:
    return make_vin(random.Random(seed), wmi, 2016)


# --------------------------------------------------------------------------- text → candidates
def test_vin_split_into_groups_after_a_label_is_joined():
    assert vin_runs("Chassis No.: JTM HV05J 504123456") == ["JTMHV05J504123456"]


def test_arabic_label_and_arabic_digits_are_handled():
    assert vin_runs("رقم الشاصي JTMHV05J٥٠٤١٢٣٤٥٦") == ["JTMHV05J504123456"]


def test_letters_a_vin_cannot_contain_are_read_as_digits():
    assert vin_runs("VIN: 1HGCM8Z633AOO4352") == ["1HGCM8Z633A004352"]


def test_dates_and_names_outside_a_chassis_line_are_not_vins():
    assert vin_runs("12/03/2024 Exp. Date 11/03/2025", labelled=False) == []
    assert vin_runs("Ahmed Khalid Al Mansoori 2016", labelled=False) == []


def test_check_digit_repairs_ocr_lookalikes():
    true_vin = "1HGCM82633A004352"
    misread = "1HGCMB2633A0O4352".replace("O", "0")  # 8 read as B
    repairs = [vin for vin, _ in ocr_repairs(misread)]
    assert true_vin in repairs
    assert all(check_digit_ok(v) for v in repairs)


def test_letter_in_the_check_digit_position_is_always_swapped():
    true_vin = next(v for v in (_vin(n, "1FT") for n in range(200)) if v[8] == "5")
    misread = true_vin[:8] + "S" + true_vin[9:]
    repairs = [vin for vin, _ in ocr_repairs(misread)]
    assert repairs[0] == true_vin  # the one swap that is forced comes first
    assert all(v[8].isdigit() or v[8] == "X" for v in repairs)


# --------------------------------------------------------------------------- photos
def test_clean_card_photo(ocr):
    vin = _vin(1)
    reading = read_chassis_numbers(card_photo(vin, Distortion(), seed=1), ocr=ocr)
    assert reading.best == vin
    assert reading.vehicle is not None and reading.vehicle.make == "Toyota"
    assert "UNITED ARAB EMIRATES" in reading.text


@pytest.mark.parametrize(
    ("make_index", "dist"),
    [
        (2, Distortion(angle=5.5, blur=1.2, noise=30, jpeg_quality=45, width=1200)),
        (6, Distortion(angle=-6.0, blur=0.9, noise=35, jpeg_quality=40, width=1100)),
        (8, Distortion(angle=2.0, blur=1.4, noise=20, jpeg_quality=55, width=1400)),
    ],
)
def test_tilted_blurred_noisy_compressed_photo(ocr, make_index, dist):
    make, model, wmi = MAKES[make_index]
    vin = _vin(make_index, wmi)
    photo = card_photo(vin, dist, seed=make_index, make=make, model=model)
    assert read_chassis_numbers(photo, ocr=ocr).best == vin


def test_photo_taken_sideways(ocr):
    vin = _vin(3, "KMH")
    photo = card_photo(vin, Distortion(angle=92, blur=0.6, noise=15, width=900), seed=3, make="Hyundai")
    reading = read_chassis_numbers(photo, ocr=ocr)
    assert reading.best == vin
    assert reading.views[-1].startswith("turn")


def test_vin_printed_in_groups(ocr):
    vin = _vin(4, "4T1")
    photo = card_photo(vin, Distortion(angle=-3, blur=0.8, noise=20), seed=4, spaced_vin=True)
    assert read_chassis_numbers(photo, ocr=ocr).best == vin


def test_japanese_frame_number_card(ocr):
    photo = card_photo("GRJ200-1234567", Distortion(angle=2, blur=0.7, noise=15), seed=5)
    reading = read_chassis_numbers(photo, ocr=ocr)
    assert reading.best == "GRJ200-1234567"
    assert reading.vehicle.kind == "frame" and reading.vehicle.model == "Land Cruiser"


def test_engine_number_is_never_taken_for_the_chassis_number(ocr):
    vin = _vin(6, "JN1")
    reading = read_chassis_numbers(card_photo(vin, Distortion(), seed=6, engine_no="VK56-1234567"), ocr=ocr)
    assert reading.best == vin
    assert not any("1234567" in c for c in reading.candidates)


def test_photo_of_nothing_has_no_candidates(ocr):
    rng = random.Random(7)
    img = Image.new("RGB", (1200, 900), (120, 100, 80))
    for _ in range(300):  # some texture, no text
        x, y = rng.randrange(1200), rng.randrange(900)
        img.paste((rng.randrange(256),) * 3, (x, y, x + 25, y + 25))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=70)
    reading = read_chassis_numbers(out.getvalue(), ocr=ocr)
    assert reading.candidates == []
    assert reading.vehicle is None


def test_truncated_jpeg_is_corrupt(ocr):
    photo = card_photo(_vin(8), Distortion(), seed=8)
    with pytest.raises(CorruptMedia):
        read_chassis_numbers(photo[: len(photo) // 3], ocr=ocr)


def test_time_limit_is_enforced(ocr):
    photo = card_photo(_vin(9), Distortion(angle=4, blur=1.0), seed=9)
    with pytest.raises(EngineTimeout):
        read_chassis_numbers(photo, ocr=ocr, timeout_s=0.3)
