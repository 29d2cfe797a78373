"""``action_delete_my_data``: the customer confirmed "delete my data" (data/rules/privacy.yml).

Calls privacy/erase.py for everything stored about this customer. The conversation itself is
deleted a few seconds after this turn ends (this turn's tracker is saved when it ends and
would otherwise write the history back); the daily retention command finishes any erasure
this process could not (docs/privacy.md).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import get_runtime
from privacy.erase import erase_customer, finish_pending
from privacy.settings import PrivacySettings
from shopkernel.db import make_engine
from shopkernel.masking import mask_phone

log = logging.getLogger(__name__)
_background: set[asyncio.Task[Any]] = set()
_tracker_engine: list[Engine | None] = []


def _tracker(settings: PrivacySettings) -> Engine | None:
    if not _tracker_engine:
        _tracker_engine.append(make_engine(settings.tracker_db_url) if settings.tracker_db_url else None)
    return _tracker_engine[0]


class ActionDeleteMyData(Action):
    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        settings = PrivacySettings.from_env()
        catalog, conversations = get_runtime().engine, _tracker(settings)
        try:
            await asyncio.to_thread(
                erase_customer, catalog, conversations, tracker.sender_id, "customer", conversation_now=False
            )
        except SQLAlchemyError:
            log.exception(
                "could not erase the data of %s; staff: `privacy erase`", mask_phone(tracker.sender_id)
            )
            dispatcher.utter_message(response="utter_data_deletion_failed")
            return []
        dispatcher.utter_message(response="utter_data_deleted")
        task = asyncio.create_task(_erase_conversation_later(catalog, conversations, settings))
        _background.add(task)
        task.add_done_callback(_background.discard)
        return [Restarted()]


async def _erase_conversation_later(
    catalog: Engine, conversations: Engine | None, settings: PrivacySettings
) -> None:
    """Once the turn has ended and the conversation is quiet, delete it (else the timer will)."""
    for _ in range(3):
        await asyncio.sleep(settings.erase_idle_seconds + 2)
        try:
            if await asyncio.to_thread(finish_pending, catalog, conversations, settings.erase_idle_seconds):
                return
        except SQLAlchemyError:
            log.warning("conversation erasure postponed to the retention run", exc_info=True)
