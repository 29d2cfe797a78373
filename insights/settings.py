"""Where the review reads and writes, from environment variables (read once, passed in)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from insights.markers import MarkerRules
from insights.periods import SHOP_TIMEZONE
from insights.store import DEFAULT_TRACKER_URL, PROJECT_ROOT
from shopkernel.db import default_database_url
from shopkernel.env import EnvReader, SettingsError

__all__ = ["InsightsSettings", "SettingsError"]
DEFAULT_LOG = Path("var") / "review" / "corrections.jsonl"


@dataclass(frozen=True)
class InsightsSettings:
    """``TRACKER_DB_URL``, ``DATABASE_URL`` (leads), the project's NLU and story folders, the log."""

    tracker_url: str = DEFAULT_TRACKER_URL
    database_url: str = field(default_factory=default_database_url)
    root: Path = PROJECT_ROOT
    corrections_log: Path = PROJECT_ROOT / DEFAULT_LOG
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
    def from_env(cls, env: Mapping[str, str] | None = None, root: Path | None = None) -> InsightsSettings:
        """``REVIEW_PROJECT_DIR`` (default: this checkout) is where reviewed examples and stories go."""
        read = EnvReader(env)
        root = root or Path(read.text("REVIEW_PROJECT_DIR") or PROJECT_ROOT)
        if not (root / "domain.yml").is_file():
            raise SettingsError(f"REVIEW_PROJECT_DIR={root} is not an assistant checkout (no domain.yml)")
        return cls(
            tracker_url=read.text("TRACKER_DB_URL", DEFAULT_TRACKER_URL),
            database_url=read.database_url(),
            root=root,
            corrections_log=Path(read.text("REVIEW_LOG_PATH") or root / DEFAULT_LOG),
            confidence_threshold=read.number("REVIEW_CONFIDENCE_THRESHOLD", 0.6, minimum=0.01, maximum=1.0),
            timezone=read.text("SHOP_TIMEZONE", SHOP_TIMEZONE),
        )
