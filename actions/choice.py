"""``action_choose_part``: the customer picks a shown item (tap, "2", "the first one", "the Denso")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.leads_io import draft_for, save_lead
from conversation.choice import resolve_choice


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
                "items_shown": _latest_items(remembered),  # the console shows them with today's prices
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


def _latest_items(remembered: dict) -> list[dict]:
    """The items of the list the customer chose from, as shown (price and stock at that time)."""
    items = remembered.get("items") or {}
    return [items[sku] for sku in remembered.get("latest") or [] if isinstance(items.get(sku), dict)][:10]


def _sku(latest: dict) -> str | None:
    for entity in latest.get("entities") or []:
        if entity.get("entity") == "sku" and entity.get("value"):
            return str(entity["value"])
    return None
