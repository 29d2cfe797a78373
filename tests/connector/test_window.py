"""The 24-hour customer-service window, as Meta applies it (131047 after 24 h of customer silence)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from connectors.whatsapp.window import WINDOW, service_window

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def test_open_right_after_the_customer_wrote():
    window = service_window(NOW - timedelta(minutes=5), NOW)
    assert window.is_open
    assert window.remaining == timedelta(hours=23, minutes=55)
    assert window.closes_at == NOW + timedelta(hours=23, minutes=55)
    assert window.closed_for is None


def test_closed_exactly_24_hours_later_and_says_since_when():
    assert not service_window(NOW - WINDOW, NOW).is_open
    window = service_window(NOW - timedelta(hours=30), NOW)
    assert not window.is_open
    assert window.remaining == timedelta(0)
    assert window.closed_for == timedelta(hours=6)


def test_a_customer_who_never_wrote_can_only_get_a_template():
    window = service_window(None, NOW)
    assert not window.is_open and window.closes_at is None and window.closed_for is None


def test_rasa_timestamps_in_unix_seconds_are_understood():
    window = service_window((NOW - timedelta(hours=1)).timestamp(), NOW)
    assert window.is_open and window.remaining == timedelta(hours=23)


def test_naive_datetimes_from_sqlite_are_utc():
    naive = (NOW - timedelta(hours=25)).replace(tzinfo=None)
    assert not service_window(naive, NOW).is_open


def test_a_clock_ahead_of_ours_counts_as_just_now():
    window = service_window(NOW + timedelta(minutes=3), NOW)
    assert window.is_open and window.remaining == WINDOW


@given(st.floats(min_value=0, max_value=72 * 3600, allow_nan=False))
def test_open_exactly_while_less_than_24_hours_passed(seconds_ago):
    window = service_window(NOW - timedelta(seconds=seconds_ago), NOW)
    assert window.is_open == (timedelta(seconds=seconds_ago) < WINDOW)
    assert window.remaining + (window.closed_for or timedelta(0)) >= timedelta(0)
