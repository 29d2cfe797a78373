"""Which shown item the customer means: a tap, "2", "the first one", "الثاني", "the Denso"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from catalog.normalize import normalize_text
from conversation.items import ShownItem
from conversation.replies import asks_to_order
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


@dataclass(frozen=True)
class Pick:
    """What a pick message decides: one item (a lead), or ask which of ``options``, or neither."""

    item: ShownItem | None = None
    options: list[ShownItem] = field(default_factory=list)

    @property
    def ask_which(self) -> bool:
        return self.item is None and bool(self.options)


def shown_items(remembered: Any) -> list[ShownItem]:
    """The items of the latest list, in the order the customer saw them."""
    if not isinstance(remembered, dict):
        return []
    items = remembered.get("items") or {}
    return [ShownItem.from_dict(items[s]) for s in remembered.get("latest") or [] if s in items]


def decide_pick(text: str, sku: str | None, remembered: Any) -> Pick:
    """A tap, "2", "the Denso one" -> that item; "I'll take it" -> the one item shown, or "which one?".

    An order ("ok I want this one", "ابغاه", "how do I buy") never starts over: with one item
    shown it is that item, with several the customer is asked which (buttons or a list).
    """
    item = resolve_choice(text, sku, remembered)
    if item is not None or sku:
        return Pick(item=item)
    latest = shown_items(remembered)
    if len(latest) == 1:
        return Pick(item=latest[0])
    if latest and (asks_to_order(text) or not text.strip().startswith("/")):
        return Pick(options=latest)  # several shown and none named: ask which, with the items to tap
    return Pick()
