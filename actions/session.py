"""``action_session_start``: what a new session (after 4 h of silence) keeps from the last one.

The language and the last list of parts stay (a late tap on an old list still works); the car,
the part and any half-answered question do not. A returning customer is then offered the car
remembered in the database instead ("Same car as last time, Toyota Land Cruiser 2015?"), so a
new request never silently searches for last week's car.

A customer waiting for (or talking to) a person stays with the person: the session starts
paused again, so a reply from the shop the next morning is not preceded by the bot's.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import CatalogUnavailable, in_session
from catalog.leads import is_handoff_active

CARRIED_SLOTS = ("language", "search_results")


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        kept = {name: tracker.get_slot(name) for name in CARRIED_SLOTS}
        carried = [SlotSet(name, value) for name, value in kept.items() if value is not None]
        paused = [ConversationPaused()] if await _with_a_person(tracker.sender_id) else []
        return [SessionStarted(), *carried, *paused, ActionExecuted("action_listen")]


async def _with_a_person(sender_id: str) -> bool:
    """The handoff flag in the shop's database (the console clears it on "hand back")."""
    try:
        return await in_session(lambda session: is_handoff_active(session, sender_id))
    except CatalogUnavailable:
        return False  # database down: the bot answers rather than nobody
