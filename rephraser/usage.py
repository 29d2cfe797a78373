"""Rate limits, the daily token budget and the per-conversation token log, in one table.

Every model call is a row of ``rephrase_usage``: reserved before the HTTP request (so
concurrent calls and crashed processes count) and settled with the provider's usage
figures afterwards. Limits are then plain counts and sums over recent rows, which makes
them survive restarts and hold across several action-server processes sharing the
database. Two processes checking at the same instant can each pass, so a limit can be
overshot by at most the number of calls in flight; the reservation keeps that small.

The table lives in its own ``MetaData`` (not the catalog's) and is created on first use.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.engine import Engine

from shopkernel.db import create_missing_tables, make_engine

usage_metadata = MetaData()

rephrase_usage = Table(
    "rephrase_usage",
    usage_metadata,
    Column("id", Integer, primary_key=True),
    Column("ts", Float, nullable=False),  # epoch seconds, UTC
    Column("day", String(10), nullable=False),  # UTC date "YYYY-MM-DD" the tokens count against
    Column("conversation_key", String(64), nullable=False),  # sha256 of the sender id, never the number
    Column("purpose", String(16), nullable=False),  # rephrase | soften
    Column("status", String(32), nullable=False),  # pending | ok | timeout | invalid_output | ...
    Column("prompt_tokens", Integer, nullable=False, default=0),
    Column("completion_tokens", Integer, nullable=False, default=0),
    Column("tokens", Integer, nullable=False, default=0),  # what counts against the budget
    Index("ix_rephrase_usage_day", "day"),
    Index("ix_rephrase_usage_ts", "ts"),
    Index("ix_rephrase_usage_conversation_ts", "conversation_key", "ts"),
)

REFUSED_BUDGET = "budget_exhausted"
REFUSED_GLOBAL = "rate_limited_global"
REFUSED_CUSTOMER = "rate_limited_customer"


@dataclass(frozen=True)
class Limits:
    per_customer_per_hour: int
    global_per_minute: int
    daily_token_budget: int


@dataclass(frozen=True)
class Reservation:
    """A granted call (``id`` to settle) or a refusal (``refused`` says why)."""

    id: int | None
    refused: str | None = None

    @property
    def granted(self) -> bool:
        return self.refused is None


def estimate_tokens(prompt_chars: int, max_output_tokens: int) -> int:
    """Upper-bound guess before the call: ~3 characters a token (Arabic tokenises worse
    than English's ~4), plus per-message overhead and the whole output allowance."""
    return math.ceil(prompt_chars / 3) + 12 + max_output_tokens


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d")


class UsageStore:
    """The ``rephrase_usage`` table behind a small, synchronous API (call via a thread)."""

    def __init__(self, database_url: str, limits: Limits, clock: Callable[[], float] = time.time) -> None:
        self._url = database_url
        self.limits = limits
        self._clock = clock
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = make_engine(self._url)
                create_missing_tables(usage_metadata, engine)
                self._engine = engine
            return self._engine

    def reserve(self, conversation_key: str, purpose: str, estimated_tokens: int) -> Reservation:
        """Check budget and rate limits, then record a pending call charged ``estimated_tokens``."""
        now = self._clock()
        day = utc_day(now)
        with self.engine.begin() as conn:
            used = conn.execute(
                select(func.coalesce(func.sum(rephrase_usage.c.tokens), 0)).where(rephrase_usage.c.day == day)
            ).scalar_one()
            if used + estimated_tokens > self.limits.daily_token_budget:
                return Reservation(None, REFUSED_BUDGET)
            recent = conn.execute(
                select(func.count()).select_from(rephrase_usage).where(rephrase_usage.c.ts > now - 60)
            ).scalar_one()
            if recent >= self.limits.global_per_minute:
                return Reservation(None, REFUSED_GLOBAL)
            mine = conn.execute(
                select(func.count())
                .select_from(rephrase_usage)
                .where(
                    rephrase_usage.c.conversation_key == conversation_key, rephrase_usage.c.ts > now - 3600
                )
            ).scalar_one()
            if mine >= self.limits.per_customer_per_hour:
                return Reservation(None, REFUSED_CUSTOMER)
            row_id = conn.execute(
                insert(rephrase_usage).values(
                    ts=now,
                    day=day,
                    conversation_key=conversation_key,
                    purpose=purpose,
                    status="pending",
                    prompt_tokens=0,
                    completion_tokens=0,
                    tokens=estimated_tokens,
                )
            ).inserted_primary_key[0]
        return Reservation(int(row_id))

    def settle(
        self, reservation_id: int, status: str, prompt_tokens: int, completion_tokens: int, charged: int
    ) -> None:
        """Replace the estimate with what the call really cost."""
        with self.engine.begin() as conn:
            conn.execute(
                update(rephrase_usage)
                .where(rephrase_usage.c.id == reservation_id)
                .values(
                    status=status,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens,
                    tokens=charged,
                )
            )

    def tokens_today(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.coalesce(func.sum(rephrase_usage.c.tokens), 0)).where(
                        rephrase_usage.c.day == utc_day(self._clock())
                    )
                ).scalar_one()
            )

    def conversation_tokens(self, conversation_key: str) -> int:
        """Tokens a conversation has used, all days."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.coalesce(func.sum(rephrase_usage.c.tokens), 0)).where(
                        rephrase_usage.c.conversation_key == conversation_key
                    )
                ).scalar_one()
            )

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
