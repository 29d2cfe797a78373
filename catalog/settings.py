"""Configuration read once from the environment (see the README's table).

Nothing else in the project reads ``os.environ`` for these values: build a
:class:`Settings` with :meth:`Settings.from_env` at start-up and pass it on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "var" / "catalog.db"


def default_database_url() -> str:
    """SQLite file under the project: works on a fresh machine with nothing set."""
    return f"sqlite:///{DEFAULT_DB_PATH}"


@dataclass(frozen=True)
class Settings:
    """Catalog-side settings; the connector and the rephraser keep their own."""

    database_url: str = field(default_factory=default_database_url)
    sql_echo: bool = False
    search_limit: int = 10

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(),
            sql_echo=env.get("SQL_ECHO", "").lower() in {"1", "true", "yes"},
            search_limit=int(env.get("SEARCH_LIMIT", "10")),
        )
