"""``action_choose_part``: the customer picks a shown item (tap, "2", "the first one", "the Denso")."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.domain_copy import response_text
from actions.leads_io import draft_for, save_lead
from actions.presentation import MAX_BUTTONS, ItemCopy, buttons, item_lines, whatsapp_list
from actions.runtime import CatalogUnavailable, vocabulary
from conversation.choice import decide_pick
from conversation.items import ShownItem


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
        text = latest.get("text") or ""
        if not remembered or not (remembered.get("items") if isinstance(remembered, dict) else None):
            if sku is None and await names_part_or_vehicle(text):
                return [FollowupAction("part_form")]  # "ابغى بطارية": a request, the form reads it
            dispatcher.utter_message(response="utter_nothing_to_choose")
            return []
        decision = decide_pick(text, sku, remembered)
        if decision.ask_which:
            self._ask_which(dispatcher, domain, decision.options, tracker)
            return []
        item = decision.item
        if item is None:
            if sku is None and await names_part_or_vehicle(text):
                return [FollowupAction("part_form")]  # "I want a battery" after brake pads were shown
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
                "fits": item.fits,
            },
        )
        lead_id = await save_lead(draft)
        if lead_id is None:
            dispatcher.utter_message(response="utter_catalog_down")
            return []
        dispatcher.utter_message(
            response="utter_choice_confirmed",
            name=item.label,
            brand=item.brand,
            part_number=item.part_number,
            price=item.price_label,
            lead_id=lead_id,
        )
        dispatcher.utter_message(response="utter_anything_else")
        return []

    @staticmethod
    def _ask_which(
        dispatcher: CollectingDispatcher, domain: dict[str, Any], items: list[ShownItem], tracker: Tracker
    ) -> None:
        """ "Which one would you like?" with the shown items as buttons (up to 3) or a WhatsApp list."""
        language = tracker.get_slot("language") or "en"
        copy = ItemCopy.from_domain(domain, language)
        lines = item_lines(items, copy)
        if len(items) <= MAX_BUTTONS:
            dispatcher.utter_message(response="utter_which_item", items=lines, buttons=buttons(items))
            return
        interactive = whatsapp_list(
            items,
            body=response_text(domain, "utter_which_item_list_body", language, count=len(items)),
            button_label=response_text(domain, "utter_results_list_button", language),
            section_title=response_text(domain, "utter_results_list_title", language),
            copy=copy,
        )
        dispatcher.utter_message(
            response="utter_which_item", items=lines, json_message={"whatsapp": interactive}
        )


async def names_part_or_vehicle(text: str) -> bool:
    """Does "I want <this>" name a part or a car the catalog knows ("ابغى بطارية", "abi camry")?

    Such a message is a new request that the model read as a pick ("I want" is how both start);
    answering "I have not shown you anything" would lose it. Without the catalog: False.
    """
    if not text.strip() or text.startswith("/"):
        return False
    try:
        vocab = await vocabulary()
    except CatalogUnavailable:
        return False
    mention = await asyncio.to_thread(vocab.parse, text)
    return bool(mention.part_matched or mention.model or mention.make)


def _latest_items(remembered: dict) -> list[dict]:
    """The items of the list the customer chose from, as shown (price and stock at that time)."""
    items = remembered.get("items") or {}
    return [items[sku] for sku in remembered.get("latest") or [] if isinstance(items.get(sku), dict)][:10]


def _sku(latest: dict) -> str | None:
    for entity in latest.get("entities") or []:
        if entity.get("entity") == "sku" and entity.get("value"):
            return str(entity["value"])
    return None
