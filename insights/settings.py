"""Where the review reads and writes, from environment variables (read once, passed in)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from insights.markers import MarkerRules
from insights.periods import SHOP_TIMEZONE
from insights.store import DEFAULT_TRACKER_URL, PROJECT_ROOT


class SettingsError(ValueError):
    """An environment variable of the review has a value it cannot use."""


@dataclass(frozen=True)
class InsightsSettings:
    """``TRACKER_DB_URL``, ``DATABASE_URL`` (leads), the project's NLU and story folders, the log."""

    tracker_url: str = DEFAULT_TRACKER_URL
    database_url: str | None = None
    root: Path = PROJECT_ROOT
    corrections_log: Path = PROJECT_ROOT / "var" / "review" / "corrections.jsonl"
    confidence_threshold: float = 0.6
    timezone: str = SHOP_TIMEZONE

    @property
    def nlu_dir(self) -> Path:
        return self.root / "data" / "nlu"

    @property
    def stories_dir(self) -> Path:
        return self.root / "tests" / "stories"

    @property
    def domain_path(self) -> Path:
        return self.root / "domain.yml"

    @property
    def rules(self) -> MarkerRules:
        return MarkerRules(confidence_threshold=self.confidence_threshold)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, root: Path = PROJECT_ROOT) -> InsightsSettings:
        env = os.environ if env is None else env
        raw = env.get("REVIEW_CONFIDENCE_THRESHOLD", "0.6")
        try:
            threshold = float(raw)
        except ValueError:
            raise SettingsError(f"REVIEW_CONFIDENCE_THRESHOLD must be a number, not {raw!r}") from None
        if not 0 < threshold <= 1:
            raise SettingsError(f"REVIEW_CONFIDENCE_THRESHOLD must be between 0 and 1, not {threshold}")
        log = env.get("REVIEW_LOG_PATH") or str(root / "var" / "review" / "corrections.jsonl")
        return cls(
            tracker_url=env.get("TRACKER_DB_URL") or DEFAULT_TRACKER_URL,
            database_url=env.get("DATABASE_URL") or None,
            root=root,
            corrections_log=Path(log),
            confidence_threshold=threshold,
            timezone=env.get("SHOP_TIMEZONE") or SHOP_TIMEZONE,
        )
