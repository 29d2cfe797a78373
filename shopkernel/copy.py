"""The customer copy that is sent outside Rasa, read from ``config/customer_copy.yml``.

A designer edits that YAML file (English and Arabic side by side); Python code only names
an entry (``"media.too_large"``) and the language. Rasa's own replies stay in domain.yml.

``language`` is ``"en"``, ``"ar"`` or ``None`` (not known yet): then both are sent, English
first, separated by a blank line, so nobody gets a message they cannot read.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from shopkernel.paths import CONFIG_DIR

DEFAULT_COPY_PATH = CONFIG_DIR / "customer_copy.yml"
LANGUAGES = ("en", "ar")


class CopyError(ValueError):
    """The copy file is malformed or an entry/placeholder is missing; the message says which."""


@dataclass(frozen=True)
class CustomerCopy:
    """Entries ``"group.name"`` -> ``{"en": ..., "ar": ...}``."""

    entries: Mapping[str, Mapping[str, str]]
    source: str = ""

    @classmethod
    def load(cls, path: Path | str = DEFAULT_COPY_PATH) -> CustomerCopy:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CopyError(f"cannot read the customer copy {path}: {exc}") from exc
        return cls(_entries(data, str(path)), str(path))

    def text(self, key: str, language: str | None = None, **values: Any) -> str:
        """The entry in ``language`` (both languages when it is None), placeholders filled in."""
        entry = self.entries.get(key)
        if entry is None:
            raise CopyError(f"{key!r} is not in {self.source or 'the customer copy'}")
        if language in LANGUAGES:
            return _fill(key, entry[language], values)
        return "\n\n".join(_fill(key, entry[lang], values) for lang in LANGUAGES)

    def placeholders(self, key: str, language: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.entries[key][language]) if name}


@lru_cache(maxsize=4)
def customer_copy(path: str = str(DEFAULT_COPY_PATH)) -> CustomerCopy:
    """The copy file, read once per process (restart the servers after editing it)."""
    return CustomerCopy.load(path)


def say(key: str, language: str | None = None, **values: Any) -> str:
    """Shortcut for ``customer_copy().text(...)``: what the customer reads for ``key``."""
    return customer_copy().text(key, language, **values)


def _entries(data: Any, source: str) -> dict[str, dict[str, str]]:
    if not isinstance(data, dict):
        raise CopyError(f"{source}: expected groups of entries at the top level")
    entries: dict[str, dict[str, str]] = {}
    for group, items in data.items():
        if not isinstance(items, dict):
            raise CopyError(f"{source}: group {group!r} must map names to en/ar texts")
        for name, texts in items.items():
            key = f"{group}.{name}"
            if not isinstance(texts, dict) or any(not isinstance(texts.get(lang), str) for lang in LANGUAGES):
                raise CopyError(f"{source}: {key} needs an 'en' and an 'ar' text")
            entries[key] = {lang: texts[lang].strip() for lang in LANGUAGES}
    return entries


def _fill(key: str, template: str, values: Mapping[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError) as exc:
        raise CopyError(f"{key}: no value for placeholder {exc}") from None
