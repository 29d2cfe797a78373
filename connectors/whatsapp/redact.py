"""Masking of customer identifiers for logs (phone numbers are personal data)."""

from __future__ import annotations


def mask_id(value: str | None) -> str:
    """``971501234567`` -> ``9715****4567``; BSUIDs keep their country prefix only.

    The full value is still stored where staff need it (the failures table);
    only log lines are masked.
    """
    if not value:
        return "<none>"
    text = str(value)
    if "." in text and not text.replace(".", "").isdigit():  # BSUID like "US.1349..."
        prefix, _, rest = text.partition(".")
        return f"{prefix}.****{rest[-4:]}" if len(rest) > 4 else f"{prefix}.****"
    if len(text) <= 8:
        return "****" + text[-2:]
    return f"{text[:4]}****{text[-4:]}"
