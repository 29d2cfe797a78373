"""Read a response's text from the domain the action server receives with every call.

Used for the few strings that are not whole messages (a WhatsApp list's button label and
section title), so that all copy stays in domain.yml, next to its Arabic variation.
"""

from __future__ import annotations

from typing import Any


def response_text(domain: dict[str, Any], name: str, language: str, **values: Any) -> str:
    """The text of response ``name`` for ``language`` (its Arabic variation or the default)."""
    variations = (domain.get("responses") or {}).get(name) or []
    chosen = None
    for variation in variations:
        conditions = variation.get("condition") or []
        if any(c.get("name") == "language" and c.get("value") == language for c in conditions):
            chosen = variation
            break
        if not conditions and chosen is None:
            chosen = variation
    text = (chosen or {}).get("text", "")
    try:
        return text.format(**values) if values else text
    except (KeyError, IndexError):
        return text
