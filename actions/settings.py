"""Action-server settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from catalog.chassis_lookup import LookupSettings
from catalog.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class AssistantSettings:
    """What the actions need beyond the catalog settings.

    ``STORE_INFO_PATH``: YAML with the shop's address, hours, delivery, payment, warranty.
    ``LEAD_SPOOL_PATH``: JSON-lines file where leads wait while the database is down.
    ``VOCABULARY_TTL_SECONDS``: how long the in-memory vocabulary is reused before a reload.
    ``CHASSIS_LOOKUP_*``: the optional online VIN lookup (off while ``CHASSIS_LOOKUP_URL`` is empty).
    """

    catalog: Settings = field(default_factory=Settings)
    store_info_path: Path = PROJECT_ROOT / "config" / "store.yml"
    spool_path: Path = PROJECT_ROOT / "var" / "spool" / "leads.jsonl"
    vocabulary_ttl_seconds: float = 300.0
    results_shown: int = 5
    lookup: LookupSettings = field(default_factory=LookupSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AssistantSettings:
        env = os.environ if env is None else env
        return cls(
            catalog=Settings.from_env(env),
            store_info_path=Path(env.get("STORE_INFO_PATH") or PROJECT_ROOT / "config" / "store.yml"),
            spool_path=Path(env.get("LEAD_SPOOL_PATH") or PROJECT_ROOT / "var" / "spool" / "leads.jsonl"),
            vocabulary_ttl_seconds=float(env.get("VOCABULARY_TTL_SECONDS", "300")),
            results_shown=max(1, min(10, int(env.get("RESULTS_SHOWN", "5")))),
            lookup=LookupSettings.from_env(env),
        )
