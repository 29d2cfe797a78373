"""One masking format for phone numbers in every log line and message."""

from __future__ import annotations

import pytest

from ops.logging import scrub
from shopkernel.masking import mask_phone, mask_url


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("971501234567", "9715****4567"),
        ("+971501234567", "9715****4567"),
        ("0501234567", "0501****4567"),
        ("US.13491208655302741918", "US.****1918"),
        ("AE.123", "AE.****"),
        ("12345", "****45"),
        ("", "<none>"),
        (None, "<none>"),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_the_middle_digits_never_show():
    assert "0123" not in mask_phone("971501234567")


def test_log_scrubbing_uses_the_same_format():
    assert scrub("turn for 971501234567 failed") == f"turn for {mask_phone('971501234567')} failed"


def test_urls_lose_their_password():
    shown = mask_url("postgresql://shop:s3cret@db.internal:5432/parts")
    assert "s3cret" not in shown and "db.internal" in shown
    assert "s3cret" not in mask_url("weird://shop:s3cret@host/x y")
