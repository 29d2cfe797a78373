"""Slot validation: the language of every message, and the parts form (part, make, model, year).

``validate_part_form`` reads each message (NLU entities + the catalog vocabulary + VIN
decoding, see :mod:`conversation.understanding`), then one ``validate_<slot>`` per slot checks the
candidate against the catalog and decides what to say: the canonical name, a "did you mean"
with buttons, "Land Cruiser or Land Cruiser Prado?", or the list of models a make has.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction, ValidationAction

from actions.domain_copy import response_text
from actions.runtime import CatalogUnavailable, vocabulary
from actions.vehicles import KnownVehicle, enrich, previous_vehicle, remember_vehicle, vehicle_from_id
from catalog.vocabulary import Vocabulary
from conversation.form_state import form_was_active, reading_from_entities, stale_chassis
from conversation.language import detect_language
from conversation.pending import answer_pending, next_vin_step
from conversation.slots import keep_good_values, or_list
from conversation.understanding import (
    FORM_SLOTS,
    MessageFacts,
    Reading,
    answer_to_pending,
    catalog_years,
    parse_year,
    read_message,
    says_yes_or_no,
    stale_slots,
    vehicle_candidates,
)
from conversation.vehicle_problems import problem_response

log = logging.getLogger(__name__)
VALIDATION_ORDER = ("make", "model", "year", "part")  # a model is checked against its make
MAX_FREE_PART = 60
QUOTE = 30
SHOWN_OPTIONS = 3


def message_facts(tracker: Tracker) -> MessageFacts:
    latest = tracker.latest_message or {}
    return MessageFacts(
        text=(latest.get("text") or "").strip(),
        intent=(latest.get("intent") or {}).get("name"),
        entities=tuple(latest.get("entities") or ()),
    )


def inform_payload(**values: str) -> str:
    return "/inform" + json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def quote(value: Any) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


async def _vocabulary_or_none() -> Vocabulary | None:
    try:
        return await vocabulary()
    except CatalogUnavailable:
        return None


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message: keeps the ``language`` slot in step with the customer."""

    def domain_slots(self, domain: dict[str, Any]) -> list[str]:
        return ["language"]

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        previous = tracker.get_slot("language")
        language = detect_language(message_facts(tracker).text, previous)
        return {} if language == previous else {"language": language}

    async def validate_language(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        return {"language": value if value in ("en", "ar") else "en"}


class ValidatePartForm(FormValidationAction):
    """Fills part, make, model and year from whatever the customer writes, checked against the catalog.

    Besides the four slots it runs two yes/no questions: "Is your chassis number …?" after a
    registration-card photo (``chassis_pending``) and "Same car as last time?" when a returning
    customer starts a request without naming a car (``vehicle_offer``). The questions themselves
    are asked by ``action_ask_<slot>`` (actions/asking.py) in place of the form's next question.
    """

    def name(self) -> str:
        return "validate_part_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        facts = message_facts(tracker)
        previous = {slot: tracker.get_slot(slot) for slot in (*FORM_SLOTS, "vin", "frame_number")}
        if facts.intent == "chassis_photo":
            side_events, reading = self._photo_events(dispatcher, facts), Reading()
        else:
            side_events, reading = await self._message_events(dispatcher, tracker, facts)
        tracker.add_slots(side_events)
        vocab = await _vocabulary_or_none()
        requested = tracker.get_slot(REQUESTED_SLOT)
        candidates = reading.candidates
        if vocab is not None:  # a word the catalog does not know never replaces a good value
            candidates = keep_good_values(candidates, previous, requested, _resolver(vocab, previous))
        given = [slot for slot in VALIDATION_ORDER if slot in candidates]
        tracker.add_slots([SlotSet(slot, candidates[slot]) for slot in given])
        validation_events = await self._extract_validation_events(dispatcher, tracker, domain)
        now = {slot: tracker.get_slot(slot) for slot in (*FORM_SLOTS, "vin", "frame_number")}
        has_year = vocab.model_has_year if vocab is not None else None
        stale = stale_slots(previous, now, set(given), has_year) | (stale_chassis(previous, now) - set(given))
        stale_events = [SlotSet(slot, None) for slot in sorted(stale) if now.get(slot) is not None]
        events = side_events + validation_events + stale_events
        if not events and requested and answer_to_pending(facts) == "yes":
            # "yes"/"aywa" with no yes/no question pending: not a cancel, the form asks again
            events = [SlotSet("suggestion", tracker.get_slot("suggestion"))]
        return events

    async def _message_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, facts: MessageFacts
    ) -> tuple[list[EventType], Reading]:
        """Side slots for one message, and its slot candidates (validated afterwards)."""
        previous = {slot: tracker.get_slot(slot) for slot in FORM_SLOTS}
        requested = tracker.get_slot(REQUESTED_SLOT)
        side_events, facts, accepted = self._pending_answer(dispatcher, tracker, facts)
        if side_events:
            requested = None  # an answer to our yes/no question, not to "which make?"
        vocab = await _vocabulary_or_none()
        if vocab is None:
            reading = reading_from_entities(facts)
        else:
            current = {**previous, "part_number": tracker.get_slot("part_number")}
            reading = await asyncio.to_thread(read_message, facts, vocab, current, requested)
        if accepted is not None:
            for slot, value in (("make", accepted.make), ("model", accepted.model), ("year", accepted.year)):
                if value:
                    reading.candidates.setdefault(slot, str(value))
            side_events += [SlotSet("vin", accepted.vin), SlotSet("frame_number", accepted.frame_number)]
        if not side_events and not reading.empty:
            side_events += self._drop_unanswered_questions(tracker)
        side_events += self._suggestion_events(facts, tracker, reading)
        side_events += await self._vehicle_id_events(dispatcher, tracker, reading, vocab)
        if reading.part_number:
            side_events.append(SlotSet("part_number", reading.part_number))
        elif reading.part_number_cleared:
            side_events.append(SlotSet("part_number", None))
        if self._may_offer_previous_vehicle(tracker, previous, reading, side_events):
            offer = await previous_vehicle(tracker.sender_id)
            if offer is not None:
                side_events.append(SlotSet("vehicle_offer", offer.as_slot()))
        return side_events, reading

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> EventType | None:
        """A pending yes/no question is asked next; a part number needs no vehicle: search."""
        if tracker.get_slot("chassis_pending") or tracker.get_slot("vehicle_offer"):
            return SlotSet(REQUESTED_SLOT, "make")  # action_ask_make asks the pending question
        if tracker.get_slot("part_number"):
            return SlotSet(REQUESTED_SLOT, None)
        return None

    # ------------------------------------------------------------------ yes/no questions
    @staticmethod
    def _photo_events(dispatcher: CollectingDispatcher, facts: MessageFacts) -> list[EventType]:
        """A number read from a photo waits for the customer's "yes" (OCR can misread)."""
        number = facts.entity("vin") or facts.entity("frame_number")
        if not number or not str(number).strip():
            dispatcher.utter_message(response="utter_photo_tips")
            return [SlotSet("chassis_pending", None)]
        return [SlotSet("chassis_pending", str(number).strip().upper()), SlotSet("vehicle_offer", None)]

    @staticmethod
    def _pending_answer(
        dispatcher: CollectingDispatcher, tracker: Tracker, facts: MessageFacts
    ) -> tuple[list[EventType], MessageFacts, KnownVehicle | None]:
        """Answer to "Is your chassis number …?" / "Same car as last time?" (conversation.pending).

        Returns (events, facts to read, vehicle taken from the offer).
        """
        offer = KnownVehicle.from_slot(tracker.get_slot("vehicle_offer"))
        pending = tracker.get_slot("chassis_pending")
        decision = answer_pending(answer_to_pending(facts), pending, offer is not None)
        if decision is None:
            return [], facts, None
        events: list[EventType] = [SlotSet("chassis_pending", None), SlotSet("vehicle_offer", None)]
        if decision.read_number:
            return events, MessageFacts(text=str(decision.read_number), intent="inform"), None
        if decision.declined_number:
            dispatcher.utter_message(response="utter_chassis_declined")
        return events, facts, offer if decision.take_offer else None

    @staticmethod
    def _drop_unanswered_questions(tracker: Tracker) -> list[EventType]:
        """The customer said something else (a car, a part): the pending question is moot."""
        names = ("chassis_pending", "vehicle_offer")
        return [SlotSet(name, None) for name in names if tracker.get_slot(name)]

    @staticmethod
    def _may_offer_previous_vehicle(
        tracker: Tracker, previous: dict[str, Any], reading: Reading, side_events: list[EventType]
    ) -> bool:
        """Only when a new request starts with no car at all (form activation, nothing given)."""
        if form_was_active(tracker.events) or any(previous[s] for s in ("make", "model", "year")):
            return False
        if side_events or reading.vehicle_id or reading.part_number or tracker.get_slot("part_number"):
            return False
        return not any(slot in reading.candidates for slot in ("make", "model", "year"))

    # ------------------------------------------------------------------ side channels
    @staticmethod
    def _suggestion_events(facts: MessageFacts, tracker: Tracker, reading: Reading) -> list[EventType]:
        """ "yes" to "Did you mean Toyota?" takes the suggestion; any new detail drops it."""
        suggestion = tracker.get_slot("suggestion")
        if not isinstance(suggestion, dict):
            return []
        if facts.intent == "affirm" and says_yes_or_no(facts.text) and suggestion.get("slot") in FORM_SLOTS:
            reading.candidates.setdefault(suggestion["slot"], str(suggestion.get("value")))
            return [SlotSet("suggestion", None)]
        return [SlotSet("suggestion", None)] if not reading.empty else []

    @staticmethod
    async def _vehicle_id_events(
        dispatcher: CollectingDispatcher, tracker: Tracker, reading: Reading, vocab: Vocabulary | None
    ) -> list[EventType]:
        """A chassis number: fill what it says and remember it, or explain what is wrong with it
        (the retry rule: conversation.pending.next_vin_step)."""
        vid = reading.vehicle_id
        valid = None if vid is None else vid.valid
        step = next_vin_step(valid, tracker.get_slot("vin_retry"), gave_other_details=not reading.empty)
        retry_events: list[EventType] = [SlotSet("vin_retry", step.retry)] if step.changed else []
        if step.say == "give_up":
            dispatcher.utter_message(response="utter_vin_give_up")
        elif step.say == "explain":
            shown = vid.suggestions[:SHOWN_OPTIONS]
            buttons = [{"title": vin, "payload": inform_payload(vin=vin)} for vin in shown]
            response, values = problem_response(vid) or ("utter_vin_problem_format_vin", {})
            dispatcher.utter_message(response=response, buttons=buttons, **values)
        if vid is None or not vid.valid:
            return retry_events
        vid = await enrich(vid)
        reading.candidates.update(vehicle_candidates(vid))
        vehicle = vehicle_from_id(vid)
        label = vehicle.label(vocab, tracker.get_slot("language") or "en") or vid.normalized
        dispatcher.utter_message(response="utter_vin_read", vin=vid.normalized, vehicle=label)
        await remember_vehicle(tracker.sender_id, vehicle, decoded=vid.as_dict())
        return [SlotSet("vin", vehicle.vin), SlotSet("frame_number", vehicle.frame_number), *retry_events]

    # ------------------------------------------------------------------ validators
    async def validate_make(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not value:
            return {}
        vocab = await _vocabulary_or_none()
        if vocab is None:
            return {"make": str(value).strip().title()}
        match = vocab.match_make(str(value))
        if match.value:
            return {"make": match.value}
        if match.candidates:
            self._did_you_mean(dispatcher, "make", match.candidates, vocab, tracker, domain)
            return {"make": None, **self._suggest("make", match.candidates)}
        dispatcher.utter_message(
            response="utter_unknown_make", value=quote(value), options=", ".join(vocab.makes())
        )
        return {"make": None}

    async def validate_model(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not value:
            return {}
        vocab = await _vocabulary_or_none()
        if vocab is None:
            return {"model": str(value).strip().title()}
        make = tracker.get_slot("make")
        match = vocab.match_model(str(value), make)
        if match.value:
            result: dict[str, Any] = {"model": match.value}
            if match.make and match.make != make:
                result["make"] = match.make  # "land cruiser" is a Toyota whatever was said before
            return result
        if match.candidates:
            options = match.candidates
            dispatcher.utter_message(
                response="utter_ambiguous_model",
                value=quote(value),
                options=_or_list(options, tracker, domain),
                buttons=[
                    {
                        "title": _title(vocab, "model", name, make, tracker),
                        "payload": _model_payload(vocab, name),
                    }
                    for name in options[:SHOWN_OPTIONS]
                ],
            )
            return {"model": None, **self._suggest("model", options)}
        if make:
            dispatcher.utter_message(
                response="utter_unknown_model",
                value=quote(value),
                options=", ".join(vocab.models_for(make)),
            )
        return {"model": None}

    async def validate_year(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if value is None or value == "":
            return {}
        span = catalog_years(await _vocabulary_or_none())
        year = parse_year(value, requested=tracker.get_slot(REQUESTED_SLOT) == "year", span=span)
        if year is None:
            dispatcher.utter_message(response="utter_bad_year", min_year=span.first, max_year=span.last)
            return {"year": None}
        return {"year": str(year)}

    async def validate_part(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        if not value:
            return {}
        text = " ".join(str(value).split())
        vocab = await _vocabulary_or_none()
        if vocab is None:
            return {"part": text[:MAX_FREE_PART]}
        match = vocab.match_part(text)
        if match.value:
            return {"part": match.value}
        if match.candidates:
            self._did_you_mean(dispatcher, "part", match.candidates, vocab, tracker, domain)
            return {"part": None, **self._suggest("part", match.candidates)}
        if sum(ch.isalpha() for ch in text) >= 3 and len(text) <= MAX_FREE_PART:
            return {"part": text}  # not a category we know: searched by name, else a lead for staff
        dispatcher.utter_message(
            response="utter_unknown_part", value=quote(value), options=", ".join(vocab.categories()[:8])
        )
        return {"part": None}

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _did_you_mean(
        dispatcher: CollectingDispatcher,
        slot: str,
        candidates: tuple[str, ...],
        vocab: Vocabulary,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> None:
        shown = candidates[:SHOWN_OPTIONS]
        dispatcher.utter_message(
            response="utter_did_you_mean",
            options=_or_list(shown, tracker, domain),
            buttons=[
                {
                    "title": _title(vocab, slot, name, tracker.get_slot("make"), tracker),
                    "payload": inform_payload(**{slot: name}),
                }
                for name in shown
            ],
        )

    @staticmethod
    def _suggest(slot: str, candidates: tuple[str, ...]) -> dict[str, Any]:
        """Remember a single suggestion so that a typed "yes" accepts it."""
        if len(candidates) == 1:
            return {"suggestion": {"slot": slot, "value": candidates[0]}}
        return {}


def _or_list(names: tuple[str, ...], tracker: Tracker, domain: dict[str, Any]) -> str:
    joiner = response_text(domain, "utter_list_or", tracker.get_slot("language") or "en")
    return or_list(names, f" {joiner.strip()} ")


def _resolver(vocab: Vocabulary, previous: dict[str, Any]):  # noqa: ANN202 - a Resolves callable
    """Whether a candidate names something the catalog knows (exact, synonym or confident typo)."""
    span = catalog_years(vocab)

    def resolves(slot: str, value: str) -> bool:
        if slot == "make":
            return vocab.match_make(value).value is not None
        if slot == "model":
            return vocab.match_model(value, previous.get("make")).value is not None
        if slot == "part":
            return vocab.match_part(value).value is not None
        return parse_year(value, span=span) is not None

    return resolves


def _title(vocab: Vocabulary, kind: str, name: str, make: str | None, tracker: Tracker) -> str:
    """A button title (at most 20 characters), in Arabic for Arabic conversations when known."""
    label = name
    if tracker.get_slot("language") == "ar":
        arabic = (
            vocab.arabic_name(kind, make, name) if kind == "model" and make else vocab.arabic_name(kind, name)
        )
        label = arabic or name
    return label if len(label) <= 20 else label[:19] + "…"


def _model_payload(vocab: Vocabulary, name: str) -> str:
    """``/inform{"model": ...}``; a "Make Model" candidate (one model name, two makes) carries the make."""
    make, _, rest = name.partition(" ")
    if rest and make in vocab.makes() and rest in vocab.models_for(make):
        return inform_payload(make=make, model=rest)
    return inform_payload(model=name)
