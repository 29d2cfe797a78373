"""Settings of the live conversations part of the console, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connectors.whatsapp.settings import WhatsAppSettings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TEMPLATES_PATH = PROJECT_ROOT / "config" / "whatsapp_templates.yml"


class LiveConfigError(ValueError):
    """A setting has a value the console cannot use."""


@dataclass(frozen=True)
class LiveSettings:
    """Rasa's API, the WhatsApp outbound path, staff alerts (the tracker store is WebSettings')."""

    rasa_url: str = "http://localhost:5005"
    rasa_auth_token: str = field(default="", repr=False)
    rasa_timeout: float = 10.0
    poll_interval: float = 0.3
    whatsapp: WhatsAppSettings = field(default_factory=WhatsAppSettings)
    templates_path: Path = DEFAULT_TEMPLATES_PATH
    staff_notify_number: str = ""
    staff_notify_template: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LiveSettings:
        env = os.environ if env is None else env
        return cls(
            rasa_url=(env.get("RASA_URL") or "http://localhost:5005").rstrip("/"),
            rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
            rasa_timeout=_float(env, "CONSOLE_RASA_TIMEOUT", 10.0),
            poll_interval=_float(env, "CONSOLE_LIVE_POLL_SECONDS", 0.3),
            whatsapp=WhatsAppSettings.from_env(env),
            templates_path=Path(env.get("WHATSAPP_TEMPLATES_PATH") or DEFAULT_TEMPLATES_PATH),
            staff_notify_number="".join(ch for ch in env.get("STAFF_NOTIFY_NUMBER", "") if ch.isdigit()),
            staff_notify_template=env.get("STAFF_NOTIFY_TEMPLATE", "").strip(),
        )

    @property
    def staff_alerts_on(self) -> bool:
        return bool(self.staff_notify_number and self.staff_notify_template)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise LiveConfigError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise LiveConfigError(f"{name} must be above zero, got {raw!r}")
    return value
