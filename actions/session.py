"""``action_session_start``: what a new session (after 4 h of silence) keeps from the last one.

The language and the last list of parts stay (a late tap on an old list still works); the car,
the part and any half-answered question do not. A returning customer is then offered the car
remembered in the database instead ("Same car as last time, Toyota Land Cruiser 2015?"), so a
new request never silently searches for last week's car.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

CARRIED_SLOTS = ("language", "search_results")


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kept = {name: tracker.get_slot(name) for name in CARRIED_SLOTS}
        carried = [SlotSet(name, value) for name, value in kept.items() if value is not None]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
