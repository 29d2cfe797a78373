"""Settings of the console's live conversations, read once from the environment (see docs/console.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from connectors.whatsapp.settings import WhatsAppSettings
from shopkernel.env import EnvReader
from shopkernel.paths import PROJECT_ROOT

DEFAULT_TEMPLATES_PATH = PROJECT_ROOT / "config" / "whatsapp_templates.yml"


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
        read = EnvReader(env)
        return cls(
            rasa_url=read.text("RASA_URL", "http://localhost:5005").rstrip("/"),
            rasa_auth_token=read.text("RASA_AUTH_TOKEN"),
            rasa_timeout=read.number("CONSOLE_RASA_TIMEOUT", 10.0, minimum=0.5),
            poll_interval=read.number("CONSOLE_LIVE_POLL_SECONDS", 0.3, minimum=0.05),
            whatsapp=WhatsAppSettings.from_env(env),
            templates_path=Path(read.text("WHATSAPP_TEMPLATES_PATH") or DEFAULT_TEMPLATES_PATH),
            staff_notify_number="".join(ch for ch in read.text("STAFF_NOTIFY_NUMBER") if ch.isdigit()),
            staff_notify_template=read.text("STAFF_NOTIFY_TEMPLATE"),
        )

    @property
    def staff_alerts_on(self) -> bool:
        return bool(self.staff_notify_number and self.staff_notify_template)
