"""``action_ask_<slot>``: the parts form's next question, or the yes/no question that is pending.

Rasa's form asks for a slot with ``action_ask_<slot>`` when the domain has one (else with
``utter_ask_<slot>``). Asking here lets one place decide what the customer reads next:

* "Is your chassis number JTM…?" after a registration-card photo (``chassis_pending``);
* "Same car as last time, Toyota Land Cruiser 2015?" for a returning customer (``vehicle_offer``);
* nothing, when a reply of this very turn already asked for the car ("that VIN has 16
  characters, could you send it again?"), so the customer never gets two questions at once;
* otherwise the plain ``utter_ask_<slot>``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import CatalogUnavailable, vocabulary
from actions.vehicles import KnownVehicle, vehicle_label
from catalog.vehicle_ids import decode
from catalog.vocabulary import Vocabulary
from conversation.vehicle_problems import RESPONSES as VIN_PROBLEMS

VEHICLE_SLOTS = frozenset({"make", "model", "year"})
# Replies that end by asking for the chassis number or the car themselves.
ASKS_FOR_THE_CAR = frozenset(VIN_PROBLEMS.values()) | {"utter_chassis_declined", "utter_photo_tips"}


def uttered_this_turn(tracker: Tracker, responses: frozenset[str]) -> bool:
    """One of ``responses`` was sent since the customer's latest message."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in responses:
            return True
    return False


async def _vocabulary_or_none() -> Vocabulary | None:
    try:
        return await vocabulary()
    except CatalogUnavailable:
        return None


class AskFormSlot(Action, ABC):
    """Asks for one form slot; subclasses name the slot (abstract, so rasa_sdk skips it)."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The form slot this action asks for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        language = tracker.get_slot("language") or "en"
        if self.slot in VEHICLE_SLOTS:
            pending = tracker.get_slot("chassis_pending")
            if pending:
                await self._confirm_chassis(dispatcher, str(pending), language)
                return []
            offer = KnownVehicle.from_slot(tracker.get_slot("vehicle_offer"))
            if offer is not None:
                vehicle = offer.label(await _vocabulary_or_none(), language)
                dispatcher.utter_message(response="utter_same_car", vehicle=vehicle)
                return []
        if uttered_this_turn(tracker, ASKS_FOR_THE_CAR):
            return []
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []

    @staticmethod
    async def _confirm_chassis(dispatcher: CollectingDispatcher, number: str, language: str) -> None:
        """ "Is your chassis number …?" with the car it decodes to, when it says which."""
        vid = decode(number)
        shown = vid.normalized or number
        vehicle = vehicle_label(vid.make, vid.model, vid.year, await _vocabulary_or_none(), language)
        if vehicle:
            dispatcher.utter_message(response="utter_confirm_chassis", number=shown, vehicle=vehicle)
        else:
            dispatcher.utter_message(response="utter_confirm_chassis_number", number=shown)


class AskPart(AskFormSlot):
    slot = "part"


class AskMake(AskFormSlot):
    slot = "make"


class AskModel(AskFormSlot):
    slot = "model"


class AskYear(AskFormSlot):
    slot = "year"
