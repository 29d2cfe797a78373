"""The approved WhatsApp templates staff may send (config/whatsapp_templates.yml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_VARIABLE = re.compile(r"\{\{(\d+)\}\}")


class TemplateConfigError(ValueError):
    """The templates file is missing a field or is not YAML; the message says where."""


@dataclass(frozen=True)
class ApprovedTemplate:
    name: str
    language: str
    title: str
    body: str
    parameters: tuple[str, ...]
    staff_only: bool = False

    def preview(self, values: list[str] | tuple[str, ...]) -> str:
        """The body as the customer will read it with ``values`` filled in."""

        def fill(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            return values[index] if 0 <= index < len(values) and values[index] else match.group(0)

        return _VARIABLE.sub(fill, self.body)


def load_templates(path: Path) -> list[ApprovedTemplate]:
    """Every template in the file ([] when the file does not exist)."""
    if not path.exists():
        return []
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TemplateConfigError(f"{path}: not valid YAML: {exc}") from exc
    items = doc.get("templates") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise TemplateConfigError(f"{path}: expected a 'templates:' list")
    return [_template(path, n, item) for n, item in enumerate(items, start=1)]


def _template(path: Path, number: int, item: object) -> ApprovedTemplate:
    if not isinstance(item, dict):
        raise TemplateConfigError(f"{path}: template {number} is not a mapping")
    missing = [key for key in ("name", "language", "body") if not str(item.get(key) or "").strip()]
    if missing:
        raise TemplateConfigError(f"{path}: template {number} has no {', '.join(missing)}")
    body = str(item["body"])
    parameters = tuple(str(p) for p in item.get("parameters") or ())
    variables = {int(v) for v in _VARIABLE.findall(body)}
    if variables != set(range(1, len(parameters) + 1)):
        raise TemplateConfigError(
            f"{path}: template {item['name']!r} has variables {sorted(variables)} "
            f"but {len(parameters)} parameter label(s)"
        )
    return ApprovedTemplate(
        name=str(item["name"]).strip(),
        language=str(item["language"]).strip(),
        title=str(item.get("title") or item["name"]),
        body=body,
        parameters=parameters,
        staff_only=bool(item.get("staff_only", False)),
    )
