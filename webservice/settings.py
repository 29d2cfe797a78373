"""The web service's settings, read once from the environment at start-up and passed on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shopkernel.db import default_database_url
from shopkernel.env import EnvReader
from shopkernel.paths import PROJECT_ROOT
from webservice.api.settings import ApiSettings
from webservice.live_settings import LiveSettings

DEFAULT_TRACKER_DB = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"


def tracker_db_url(value: str | None) -> str | None:
    """The Rasa tracker store as a SQLAlchemy URL (relative SQLite paths from the project root,
    as ``ops/endpoints.py`` does); None when Rasa keeps conversations in memory."""
    value = (value or "").strip()
    if not value:
        return DEFAULT_TRACKER_DB
    if value.lower() == "memory":
        return None
    if value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
        return f"sqlite:///{PROJECT_ROOT / value.removeprefix('sqlite:///')}"
    return value


@dataclass(frozen=True)
class WebSettings:
    """Everything the web service reads from the environment (see the README's table)."""

    database_url: str = field(default_factory=default_database_url)
    host: str = "127.0.0.1"
    port: int = 8000
    # uvicorn worker processes: the search is CPU-bound Python, one process uses one core.
    workers: int = 1
    # Console: Rasa's tracker store (transcripts); cookie "Secure" flag: auto (when the request
    # came over HTTPS), always or never.
    tracker_db_url: str | None = DEFAULT_TRACKER_DB
    console_secure_cookie: str = "auto"
    api: ApiSettings = field(default_factory=ApiSettings)
    # Live conversations: Rasa's API, the WhatsApp outbound path, staff alerts.
    live: LiveSettings = field(default_factory=LiveSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        read = EnvReader(env)
        return cls(
            database_url=read.database_url(),
            host=read.text("SHOP_API_HOST", "127.0.0.1"),
            port=read.integer("SHOP_API_PORT", 8000, minimum=1, maximum=65535),
            workers=read.integer("WEB_WORKERS", 1, minimum=1, maximum=32),
            tracker_db_url=tracker_db_url(read.text("TRACKER_DB_URL")),
            console_secure_cookie=read.choice("CONSOLE_SECURE_COOKIE", "auto", ("auto", "always", "never")),
            api=ApiSettings.from_env(env),
            live=LiveSettings.from_env(env),
        )
