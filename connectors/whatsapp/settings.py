"""Connector settings, read once from the environment (and optionally credentials.yml).

Parsing rules and the one error type (:class:`shopkernel.env.SettingsError`) are the
kernel's. Precedence: a non-empty value in the channel's credentials.yml section wins over the
environment variable, so ``connectors.whatsapp.WhatsAppInput:`` with no keys (None)
means "environment only". Secrets belong in the environment, never in the YAML file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shopkernel.db import default_database_url
from shopkernel.env import EnvReader

logger = logging.getLogger(__name__)

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
        read = EnvReader(env)
        return cls(
            verify_token=read.text("WHATSAPP_VERIFY_TOKEN"),
            app_secret=read.text("WHATSAPP_APP_SECRET"),
            access_token=read.text("WHATSAPP_ACCESS_TOKEN"),
            phone_number_id=read.text("WHATSAPP_PHONE_NUMBER_ID"),
            api_version=read.text("WHATSAPP_API_VERSION", DEFAULT_API_VERSION),
            graph_base_url=read.url("WHATSAPP_GRAPH_BASE_URL", DEFAULT_GRAPH_BASE_URL),
            insecure_skip_signature=read.flag("WHATSAPP_INSECURE_SKIP_SIGNATURE", False),
            fallback_template=read.text("WHATSAPP_FALLBACK_TEMPLATE"),
            fallback_template_language=read.text("WHATSAPP_FALLBACK_TEMPLATE_LANGUAGE", "en_US"),
            database_url=read.database_url(),
            inbox_lease_seconds=read.number("WHATSAPP_INBOX_LEASE_SECONDS", 30.0, minimum=3.0),
            inbox_sweep_seconds=read.number("WHATSAPP_INBOX_SWEEP_SECONDS", 5.0, minimum=0.2),
            inbox_max_attempts=read.integer("WHATSAPP_INBOX_MAX_ATTEMPTS", 5, minimum=1),
            max_image_bytes=read.integer("WHATSAPP_MAX_IMAGE_BYTES", 5 * MB, minimum=1),
            max_audio_bytes=read.integer("WHATSAPP_MAX_AUDIO_BYTES", 16 * MB, minimum=1),
            media_handler=read.text("WHATSAPP_MEDIA_HANDLER"),
            http_timeout_seconds=read.number("WHATSAPP_HTTP_TIMEOUT", 10.0, minimum=0.1),
            max_send_attempts=read.integer("WHATSAPP_SEND_MAX_ATTEMPTS", 4, minimum=1),
            retry_base_delay=read.number("WHATSAPP_RETRY_BASE_DELAY", 1.0, minimum=0),
            pair_rate_delay=read.number("WHATSAPP_PAIR_RATE_DELAY", 6.0, minimum=0),
            retry_max_delay=read.number("WHATSAPP_RETRY_MAX_DELAY", 60.0, minimum=0),
            mark_read=read.flag("WHATSAPP_MARK_READ", True),
        )

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
