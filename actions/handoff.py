"""``action_handoff``: a person takes over; the bot records why and goes quiet.

The lead (kind ``handoff``, status ``new`` in the staff console) tells staff what the customer wanted so
far; ``customers.handoff_active`` tells the WhatsApp channel; Rasa's ``ConversationPaused``
makes the Rasa server itself ignore the customer until staff resume the conversation
(``python -m catalog_loader handoff release <id>``, see docs/assistant.md).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.leads_io import draft_for, save_lead


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        await save_lead(draft_for(tracker, "handoff"))  # spooled if the DB is down
        dispatcher.utter_message(response="utter_handoff")
        return [ConversationPaused()]
