"""Connector settings, read once from the environment (and optionally credentials.yml).

Precedence: a non-empty value in the channel's credentials.yml section wins over the
environment variable, so ``connectors.whatsapp.WhatsAppInput:`` with no keys (None)
means "environment only". Secrets belong in the environment, never in the YAML file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_API_VERSION = "v21.0"
DEFAULT_GRAPH_BASE_URL = "https://graph.facebook.com"
MB = 1024 * 1024

# credentials.yml key -> settings attribute (same name) for the values it may override.
CREDENTIAL_KEYS = (
    "verify_token",
    "app_secret",
    "access_token",
    "phone_number_id",
    "api_version",
    "graph_base_url",
    "fallback_template",
    "fallback_template_language",
    "media_handler",
)
_TRUE = {"1", "true", "yes", "on"}


class WhatsAppConfigError(ValueError):
    """A setting has a value the connector cannot use."""


def default_database_url() -> str:
    """Same SQLite file as the catalog, so a fresh checkout needs no setup."""
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'catalog.db'}"


@dataclass(frozen=True)
class WhatsAppSettings:
    """Everything the channel needs; build with :meth:`from_env`."""

    verify_token: str = ""
    app_secret: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    phone_number_id: str = ""
    api_version: str = DEFAULT_API_VERSION
    graph_base_url: str = DEFAULT_GRAPH_BASE_URL
    insecure_skip_signature: bool = False
    fallback_template: str = ""
    fallback_template_language: str = "en_US"
    database_url: str = field(default_factory=default_database_url)
    inbox_lease_seconds: float = 30.0  # a turn whose process died is re-driven after this
    inbox_sweep_seconds: float = 5.0  # how often each instance looks for abandoned turns
    inbox_max_attempts: int = 5  # then the customer gets an apology and staff a log line
    max_image_bytes: int = 5 * MB
    max_audio_bytes: int = 16 * MB
    media_handler: str = ""
    http_timeout_seconds: float = 10.0
    max_send_attempts: int = 4
    retry_base_delay: float = 1.0
    pair_rate_delay: float = 6.0
    retry_max_delay: float = 60.0
    mark_read: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WhatsAppSettings:
        env = os.environ if env is None else env
        try:
            return cls(
                verify_token=env.get("WHATSAPP_VERIFY_TOKEN", ""),
                app_secret=env.get("WHATSAPP_APP_SECRET", ""),
                access_token=env.get("WHATSAPP_ACCESS_TOKEN", ""),
                phone_number_id=env.get("WHATSAPP_PHONE_NUMBER_ID", ""),
                api_version=env.get("WHATSAPP_API_VERSION") or DEFAULT_API_VERSION,
                graph_base_url=(env.get("WHATSAPP_GRAPH_BASE_URL") or DEFAULT_GRAPH_BASE_URL).rstrip("/"),
                insecure_skip_signature=env.get("WHATSAPP_INSECURE_SKIP_SIGNATURE", "").lower() in _TRUE,
                fallback_template=env.get("WHATSAPP_FALLBACK_TEMPLATE", ""),
                fallback_template_language=env.get("WHATSAPP_FALLBACK_TEMPLATE_LANGUAGE") or "en_US",
                database_url=env.get("DATABASE_URL") or default_database_url(),
                inbox_lease_seconds=max(3.0, _float(env, "WHATSAPP_INBOX_LEASE_SECONDS", 30.0)),
                inbox_sweep_seconds=max(0.2, _float(env, "WHATSAPP_INBOX_SWEEP_SECONDS", 5.0)),
                inbox_max_attempts=max(1, _int(env, "WHATSAPP_INBOX_MAX_ATTEMPTS", 5)),
                max_image_bytes=_int(env, "WHATSAPP_MAX_IMAGE_BYTES", 5 * MB),
                max_audio_bytes=_int(env, "WHATSAPP_MAX_AUDIO_BYTES", 16 * MB),
                media_handler=env.get("WHATSAPP_MEDIA_HANDLER", ""),
                http_timeout_seconds=_float(env, "WHATSAPP_HTTP_TIMEOUT", 10.0),
                max_send_attempts=max(1, _int(env, "WHATSAPP_SEND_MAX_ATTEMPTS", 4)),
                retry_base_delay=_float(env, "WHATSAPP_RETRY_BASE_DELAY", 1.0),
                pair_rate_delay=_float(env, "WHATSAPP_PAIR_RATE_DELAY", 6.0),
                retry_max_delay=_float(env, "WHATSAPP_RETRY_MAX_DELAY", 60.0),
                mark_read=env.get("WHATSAPP_MARK_READ", "true").lower() in _TRUE,
            )
        except ValueError as exc:
            raise WhatsAppConfigError(str(exc)) from exc

    def with_credentials(self, credentials: Mapping[str, Any] | None) -> WhatsAppSettings:
        """Overlay the non-empty values of a credentials.yml section."""
        if not credentials:
            return self
        unknown = set(credentials) - set(CREDENTIAL_KEYS)
        if unknown:
            logger.warning("Ignoring unknown WhatsApp credentials keys: %s", ", ".join(sorted(unknown)))
        overrides = {
            k: str(v) for k, v in credentials.items() if k in CREDENTIAL_KEYS and v not in (None, "")
        }
        if "graph_base_url" in overrides:
            overrides["graph_base_url"] = overrides["graph_base_url"].rstrip("/")
        return replace(self, **overrides)

    def missing(self) -> list[str]:
        """Names of the environment variables that must be set before POSTs are handled."""
        needed = {
            "WHATSAPP_ACCESS_TOKEN": self.access_token,
            "WHATSAPP_PHONE_NUMBER_ID": self.phone_number_id,
        }
        if not self.insecure_skip_signature:
            needed["WHATSAPP_APP_SECRET"] = self.app_secret
        return [name for name, value in needed.items() if not value]

    @property
    def messages_url(self) -> str:
        return f"{self.graph_base_url}/{self.api_version}/{self.phone_number_id}/messages"

    def media_url(self, media_id: str) -> str:
        return f"{self.graph_base_url}/{self.api_version}/{media_id}"


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
