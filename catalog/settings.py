"""Catalog settings, read once from the environment (see the README's table).

Build a :class:`Settings` with :meth:`Settings.from_env` at start-up and pass it on; the
parsing rules and the one error type come from :mod:`shopkernel.env`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shopkernel.db import default_database_url
from shopkernel.env import EnvReader
from shopkernel.paths import VAR_DIR

DEFAULT_LEAD_SPOOL = VAR_DIR / "spool" / "leads.jsonl"


@dataclass(frozen=True)
class Settings:
    """Catalog-side settings; every other package keeps its own next to its code."""

    database_url: str = field(default_factory=default_database_url)
    sql_echo: bool = False
    lead_spool_path: Path = DEFAULT_LEAD_SPOOL  # LEAD_SPOOL_PATH: leads waiting while the database is down

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        read = EnvReader(env)
        return cls(
            database_url=read.database_url(),
            sql_echo=read.flag("SQL_ECHO", False),
            lead_spool_path=Path(read.text("LEAD_SPOOL_PATH") or DEFAULT_LEAD_SPOOL),
        )
