"""``action_search_parts``: search the catalog for the filled form and show the best matches."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.domain_copy import response_text
from actions.leads_io import draft_for, save_lead
from actions.presentation import MAX_BUTTONS, ItemCopy, buttons, item_lines, whatsapp_list
from actions.runtime import CatalogUnavailable, get_runtime, in_session, vocabulary
from actions.vehicles import KnownVehicle, remember_vehicle
from catalog.search import PartHit, PartQuery, SearchError, find_by_number, search_parts
from catalog.vocabulary import Vocabulary
from conversation.items import ShownItem
from shopkernel.masking import mask_phone

log = logging.getLogger(__name__)
REMEMBERED_ITEMS = 30  # items kept so that a tap on an older list still works
WHATSAPP = "whatsapp"  # input channel name of connectors.whatsapp


class ActionSearchParts(Action):
    def name(self) -> str:
        return "action_search_parts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        limit = get_runtime().settings.results_shown
        try:
            vocab = await vocabulary()
            hits = await in_session(lambda session: self._search(session, tracker, vocab, limit))
        except CatalogUnavailable:
            await save_lead(
                draft_for(tracker, "quote", details={"reason": "catalog down"})
            )
            dispatcher.utter_message(response="utter_catalog_down")
            return []
        except SearchError as exc:
            log.warning("search refused for %s: %s", mask_phone(tracker.sender_id), exc)
            hits = []
        labels = _labels(vocab, tracker, language)
        if not hits:
            await _remember_vehicle(tracker)
            await save_lead(draft_for(tracker, "not_found", details={"searched": labels["vehicle"]}))
            none = "utter_no_results_for_number" if labels.get("part_number") else "utter_no_results"
            dispatcher.utter_message(response=none, **labels)
            return [SlotSet("search_results", _remember([], tracker.get_slot("search_results")))]
        await _remember_vehicle(tracker)
        items = [ShownItem.from_hit(hit) for hit in hits]
        self._show(dispatcher, domain, items, labels, language, tracker.get_latest_input_channel())
        return [SlotSet("search_results", _remember(items, tracker.get_slot("search_results")))]

    @staticmethod
    def _search(session, tracker: Tracker, vocab: Vocabulary, limit: int) -> list[PartHit]:  # noqa: ANN001
        number = tracker.get_slot("part_number")
        if number:
            return find_by_number(session, number, limit)
        year = tracker.get_slot("year")
        query = PartQuery(
            make=tracker.get_slot("make"),
            model=tracker.get_slot("model"),
            year=int(year) if year and str(year).isdigit() else None,
            part=tracker.get_slot("part"),
            limit=limit,
        )
        return search_parts(session, query, vocab)

    @staticmethod
    def _show(
        dispatcher: CollectingDispatcher,
        domain: dict[str, Any],
        items: list[ShownItem],
        labels: dict[str, str],
        language: str,
        channel: str | None = None,
    ) -> None:
        """Plain text for every channel, plus buttons (up to 3) or a WhatsApp list (more).

        Up to 3 items go as one message (the lines are the body of the reply buttons). With a
        list, WhatsApp gets only a header line before it: the list rows already carry every item,
        and the full text would be a second, longer copy of the same answer.
        """
        template = get_runtime().settings.part_url_template
        copy = ItemCopy.from_domain(domain, language)
        lines = item_lines(items, copy, template)
        by_number = bool(labels.get("part_number"))
        response = "utter_results_for_number" if by_number else "utter_results"
        if len(items) <= MAX_BUTTONS:
            dispatcher.utter_message(response=response, items=lines, buttons=buttons(items), **labels)
            return
        if channel == WHATSAPP:
            response = "utter_results_header_for_number" if by_number else "utter_results_header"
        body = "utter_results_list_body_for_number" if by_number else "utter_results_list_body"
        interactive = whatsapp_list(
            items,
            body=response_text(domain, body, language, count=len(items), **labels),
            button_label=response_text(domain, "utter_results_list_button", language),
            section_title=response_text(domain, "utter_results_list_title", language),
            copy=copy,
            url_template=template,
        )
        dispatcher.utter_message(
            response=response, items=lines, json_message={"whatsapp": interactive}, **labels
        )


async def _remember_vehicle(tracker: Tracker) -> None:
    """The searched car, saved with the customer so the next request can offer it again."""
    year = tracker.get_slot("year")
    vehicle = KnownVehicle(
        make=tracker.get_slot("make"),
        model=tracker.get_slot("model"),
        year=int(year) if year and str(year).isdigit() else None,
        vin=tracker.get_slot("vin"),
        frame_number=tracker.get_slot("frame_number"),
    )
    if vehicle.make and vehicle.model:
        await remember_vehicle(tracker.sender_id, vehicle)


def _labels(vocab: Vocabulary | None, tracker: Tracker, language: str) -> dict[str, str]:
    """The part and vehicle as the customer should read them (Arabic names in Arabic)."""
    make, model, year = (tracker.get_slot(s) for s in ("make", "model", "year"))
    part = tracker.get_slot("part") or tracker.get_slot("part_number") or ""
    if language == "ar" and vocab is not None:
        part = vocab.arabic_name("part", part) or part
        model = (vocab.arabic_name("model", make, model) if make and model else None) or model
        make = (vocab.arabic_name("make", make) if make else None) or make
    vehicle = " ".join(str(v) for v in (make, model, year) if v)
    labels = {"part_label": part, "vehicle": vehicle or "-"}
    if tracker.get_slot("part_number"):
        labels["part_number"] = tracker.get_slot("part_number")
    return labels


def _remember(items: list[ShownItem], previous: Any) -> dict:
    """``{"latest": [sku, ...], "items": {sku: item}}``: numbers refer to the latest list."""
    known = dict((previous or {}).get("items") or {}) if isinstance(previous, dict) else {}
    for item in items:
        known.pop(item.sku, None)
        known[item.sku] = item.as_dict()
    while len(known) > REMEMBERED_ITEMS:
        known.pop(next(iter(known)))
    return {"latest": [item.sku for item in items], "items": known}
