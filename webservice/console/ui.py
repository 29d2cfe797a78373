"""What the console's pages share: UI text in English and Arabic, the navigation, templates.

UI text lives in ``webservice/console/text/*.yml`` (``key: {en: ..., ar: ...}``), one file per
area, so a translator edits words without touching Python or HTML and two features never edit
the same file. A key defined twice is refused at start-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEXT_DIR = HERE / "text"
TEMPLATES_DIR = HERE.parent / "templates"
STATIC_DIR = HERE.parent / "static"
LANGUAGES = ("en", "ar")


class UiText:
    """``t(key, lang, **values)``: the phrase in the staff member's language (English fallback)."""

    def __init__(self, phrases: dict[str, dict[str, str]]) -> None:
        self.phrases = phrases

    @classmethod
    def load(cls, directory: Path = TEXT_DIR) -> UiText:
        phrases: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for key, value in data.items():
                if key in phrases:
                    raise ValueError(f"{path.name}: UI text key {key!r} is defined twice")
                if not isinstance(value, dict) or "en" not in value:
                    raise ValueError(f"{path.name}: {key!r} needs at least an 'en' text")
                phrases[key] = {lang: str(text) for lang, text in value.items()}
        return cls(phrases)

    def __call__(self, key: str, lang: str = "en", **values: Any) -> str:
        phrase = self.phrases.get(key)
        if phrase is None:
            log.warning("missing UI text %r", key)
            return key
        text = phrase.get(lang) or phrase["en"]
        return text.format(**values) if values else text


@dataclass(frozen=True)
class NavItem:
    """A link in the console's navigation, shown to the roles named (admins see everything)."""

    text_key: str
    href: str
    roles: tuple[str, ...]
    order: int = 50
    icon: str = "dot"  # an id in static/icons.svg


def make_templates(text: UiText) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.globals["ui_text"] = text
    env.filters["ltr"] = lambda value: Markup('<bdi dir="ltr">{}</bdi>').format(value)
    env.filters["auto"] = lambda value: Markup('<bdi dir="auto">{}</bdi>').format(value)
    env.filters["dt"] = _datetime
    env.filters["money"] = lambda value: "" if value is None else f"{value:,.2f}"
    return templates


def _datetime(value: Any) -> str:
    """UTC time as Dubai time (UTC+4, no daylight saving): what staff read on the wall clock."""
    from datetime import timedelta, timezone

    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone(timedelta(hours=4))).strftime("%Y-%m-%d %H:%M")
