"""``action_choose_part``: the customer picks a shown item (tap, "2", "the first one", "the Denso")."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.leads_io import draft_for, save_lead
from actions.presentation import ShownItem
from catalog.normalize import normalize_text

_ORDINALS = {
    1: "first 1st awal awwal اول الاول اولى الاولى",
    2: "second 2nd two thani tani ثاني الثاني ثانيه الثانيه",
    3: "third 3rd three thalith talet thaleth ثالث الثالث ثالثه الثالثه",
    4: "fourth 4th four rabi3 رابع الرابع",
    5: "fifth 5th five khamis خامس الخامس",
}
_ORDINAL_WORDS = {w: n for n, words in _ORDINALS.items() for w in words.split()}
_LAST = {"last", "الاخير", "الاخيره", "akher"}
_CHEAPEST = {"cheapest", "cheaper", "cheap", "lowest", "ارخص", "الارخص", "rkhees", "arkhas", "ar5as"}
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


class ActionChoosePart(Action):
    def name(self) -> str:
        return "action_choose_part"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        sku = _sku(latest)
        if sku is None and tracker.active_loop_name:
            return []  # "2" while the form asks a question is not a pick from an old list
        remembered = tracker.get_slot("search_results")
        if not remembered or not (remembered.get("items") if isinstance(remembered, dict) else None):
            dispatcher.utter_message(response="utter_nothing_to_choose")
            return []
        item = resolve_choice(latest.get("text") or "", sku, remembered)
        if item is None:
            dispatcher.utter_message(response="utter_choice_unknown")
            return []
        draft = draft_for(
            tracker,
            "quote",
            part_id=item.part_id,
            sku=item.sku,
            price_aed=Decimal(item.price_aed),
            details={
                "name": item.name,
                "brand": item.brand,
                "part_number": item.part_number,
                "condition": item.condition,
                "stock_when_chosen": item.stock,
            },
        )
        lead_id = await save_lead(draft)
        if lead_id is None:
            dispatcher.utter_message(response="utter_catalog_down")
            return []
        dispatcher.utter_message(
            response="utter_choice_confirmed",
            name=item.name,
            brand=item.brand,
            part_number=item.part_number,
            price=item.price_label,
            lead_id=lead_id,
        )
        dispatcher.utter_message(response="utter_anything_else")
        return []


def _sku(latest: dict) -> str | None:
    for entity in latest.get("entities") or []:
        if entity.get("entity") == "sku" and entity.get("value"):
            return str(entity["value"])
    return None
