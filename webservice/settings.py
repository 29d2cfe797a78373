"""The web service's settings, read once from the environment at start-up and passed on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from catalog.settings import default_database_url


@dataclass(frozen=True)
class WebSettings:
    """Everything the web service reads from the environment (see the README's table)."""

    database_url: str = field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = 8000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if env is None else env
        return cls(
            database_url=env.get("DATABASE_URL") or default_database_url(),
            host=env.get("SHOP_API_HOST", "127.0.0.1"),
            port=int(env.get("SHOP_API_PORT", "8000")),
        )
