"""Days and weeks in the shop's time zone (Dubai), for grouping conversations and messages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

SHOP_TIMEZONE = "Asia/Dubai"
GRAINS = ("day", "week", "all")


def local_time(timestamp: float, tz: str = SHOP_TIMEZONE) -> datetime:
    return datetime.fromtimestamp(timestamp, ZoneInfo(tz))


def period_of(timestamp: float, grain: str, tz: str = SHOP_TIMEZONE) -> str:
    """``2026-12-02`` (day), ``2026-W49`` (ISO week, Monday first) or ``all``."""
    if grain == "all":
        return "all"
    moment = local_time(timestamp, tz)
    if grain == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}"
    if grain == "day":
        return moment.date().isoformat()
    raise ValueError(f"unknown period {grain!r}: use one of {', '.join(GRAINS)}")


def day_bounds(first: date, last: date, tz: str = SHOP_TIMEZONE) -> tuple[float, float]:
    """Epoch seconds from the start of ``first`` to the end of ``last``, shop time."""
    zone = ZoneInfo(tz)
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), zone)
    return start.timestamp(), end.timestamp()
