"""Which shown item the customer means: a tap, "2", "the first one", "الثاني", "the Denso"."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from catalog.normalize import normalize_text
from conversation.items import ShownItem
from conversation.words import CHEAPEST_WORDS, LAST_WORDS, ORDINAL_WORDS

_ORDINAL_WORDS = ORDINAL_WORDS
_LAST = LAST_WORDS
_CHEAPEST = CHEAPEST_WORDS
_SMALL_NUMBER = re.compile(r"^\d{1,2}$")


def resolve_choice(text: str, sku: str | None, remembered: Any) -> ShownItem | None:
    """Which shown item the customer means; None when it is not clear."""
    if not isinstance(remembered, dict):
        return None
    items = {k: ShownItem.from_dict(v) for k, v in (remembered.get("items") or {}).items()}
    if sku:
        return items.get(sku)
    latest = [items[s] for s in remembered.get("latest") or [] if s in items]
    if not latest:
        return None
    tokens = normalize_text(text).split()
    for token in tokens:
        if _SMALL_NUMBER.match(token) and 1 <= int(token) <= len(latest):
            return latest[int(token) - 1]
        if token in _ORDINAL_WORDS and _ORDINAL_WORDS[token] <= len(latest):
            return latest[_ORDINAL_WORDS[token] - 1]
        if token in _LAST:
            return latest[-1]
        if token in _CHEAPEST:
            return min(latest, key=lambda item: Decimal(item.price_aed))
    said = set(tokens)
    by_brand = [item for item in latest if set(normalize_text(item.brand).split()) & said]
    if len({item.brand for item in by_brand}) == 1:
        return by_brand[0]
    return None
