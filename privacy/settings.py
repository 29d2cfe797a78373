"""Retention limits and the two databases, read once from the environment (docs/privacy.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shopkernel.db import default_database_url

ROOT = Path(__file__).resolve().parents[1]


class PrivacyConfigError(ValueError):
    """A retention setting is not a usable number of days."""


def default_tracker_url() -> str:
    return f"sqlite:///{ROOT / 'var' / 'tracker.db'}"  # as scripts/render_endpoints.py


@dataclass(frozen=True)
class PrivacySettings:
    database_url: str
    tracker_db_url: str | None  # None: Rasa keeps conversations in memory only
    conversation_days: int = 180  # conversations (tracker events), vehicles, failed-send records
    media_days: int = 30  # media ids (voice notes, photos) kept in leads
    lead_personal_days: int = 730  # names, numbers, VINs and messages in leads; the sale stays
    inbox_days: int = 8  # WhatsApp message bodies in the inbox (Meta redelivers for 7 days)
    erase_idle_seconds: float = 5.0  # a conversation is erased only when no turn is running

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PrivacySettings:
        env = os.environ if env is None else env
        tracker = (env.get("TRACKER_DB_URL") or "").strip() or default_tracker_url()
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(),
            tracker_db_url=None if tracker.lower() == "memory" else tracker,
            conversation_days=_days(env, "RETENTION_CONVERSATION_DAYS", 180),
            media_days=_days(env, "RETENTION_MEDIA_DAYS", 30),
            lead_personal_days=_days(env, "RETENTION_LEAD_PERSONAL_DAYS", 730),
            inbox_days=max(8, _days(env, "RETENTION_INBOX_DAYS", 8)),
        )


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise PrivacyConfigError(f"{name} must be a whole number of days (1 or more), got {raw!r}")
    return int(raw)
