"""Action-server settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from catalog.chassis_lookup import LookupSettings
from catalog.links import part_url_template
from catalog.settings import DEFAULT_LEAD_SPOOL, Settings
from shopkernel.env import EnvReader
from shopkernel.paths import CONFIG_DIR

DEFAULT_STORE_INFO = CONFIG_DIR / "store.yml"


@dataclass(frozen=True)
class AssistantSettings:
    """What the actions need beyond the catalog settings.

    ``STORE_INFO_PATH``: YAML with the shop's address, hours, delivery, payment, warranty.
    ``spool_path``: where leads wait while the database is down (``LEAD_SPOOL_PATH``, read by
    :class:`catalog.settings.Settings` because the staff CLI flushes the same file).
    ``VOCABULARY_TTL_SECONDS``: how long the in-memory vocabulary is reused before a reload.
    ``RESULTS_SHOWN``: items per search answer (1-10).
    ``CATALOG_RETRY_SECONDS``: how long an action waits out a lost PostgreSQL connection.
    ``CHASSIS_LOOKUP_*``: the optional online VIN lookup (off while ``CHASSIS_LOOKUP_URL`` is empty).
    ``PART_URL_TEMPLATE``: the shop's product page (``{sku}`` replaced), shown with each result.
    """

    catalog: Settings = field(default_factory=Settings)
    store_info_path: Path = DEFAULT_STORE_INFO
    spool_path: Path = DEFAULT_LEAD_SPOOL
    vocabulary_ttl_seconds: float = 300.0
    results_shown: int = 5
    catalog_retry_seconds: float = 15.0
    lookup: LookupSettings = field(default_factory=LookupSettings)
    part_url_template: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AssistantSettings:
        read = EnvReader(env)
        catalog = Settings.from_env(env)
        return cls(
            catalog=catalog,
            store_info_path=Path(read.text("STORE_INFO_PATH") or DEFAULT_STORE_INFO),
            spool_path=catalog.lead_spool_path,
            vocabulary_ttl_seconds=read.number("VOCABULARY_TTL_SECONDS", 300.0, minimum=0),
            results_shown=read.integer("RESULTS_SHOWN", 5, minimum=1, maximum=10),
            catalog_retry_seconds=read.number("CATALOG_RETRY_SECONDS", 15.0, minimum=0),
            lookup=LookupSettings.from_env(env),
            part_url_template=part_url_template(read),
        )

