"""WhatsApp's 24-hour customer-service window: when free-form messages may be sent.

Meta accepts a free-form message (text, list, buttons, media) only within 24 hours of the
customer's last message to the business; after that only an approved template goes out, and a
free-form send fails with 131047. The window reopens when the customer writes again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class ServiceWindow:
    """The window as seen at ``now``; ``last_customer_message_at`` None means the customer never wrote."""

    last_customer_message_at: datetime | None
    now: datetime

    @property
    def closes_at(self) -> datetime | None:
        if self.last_customer_message_at is None:
            return None
        return self.last_customer_message_at + WINDOW

    @property
    def is_open(self) -> bool:
        closes_at = self.closes_at
        return closes_at is not None and self.now < closes_at

    @property
    def remaining(self) -> timedelta:
        """Time left to answer freely; zero once closed."""
        closes_at = self.closes_at
        if closes_at is None or self.now >= closes_at:
            return timedelta(0)
        return closes_at - self.now

    @property
    def closed_for(self) -> timedelta | None:
        """How long ago it closed (None while open or when the customer never wrote)."""
        closes_at = self.closes_at
        if closes_at is None or self.now < closes_at:
            return None
        return self.now - closes_at


def service_window(
    last_customer_message_at: datetime | float | None, now: datetime | None = None
) -> ServiceWindow:
    """The window after the customer's last message (a datetime, or Unix seconds as Rasa stores them).

    A timestamp in the future (another machine's clock) counts as "just now".
    """
    now = _aware(now or datetime.now(timezone.utc))
    last: datetime | None
    if last_customer_message_at is None:
        last = None
    elif isinstance(last_customer_message_at, datetime):
        last = _aware(last_customer_message_at)
    else:
        last = datetime.fromtimestamp(float(last_customer_message_at), tz=timezone.utc)
    if last is not None and last > now:
        last = now
    return ServiceWindow(last_customer_message_at=last, now=now)


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (SQLite returns them naive)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
