"""``action_rephrase_fallback``: low NLU confidence → ask the model to rephrase, re-parse, go on.

Thin adapter over :class:`rephraser.FallbackRephraser`. When the rephrasing re-parses with
a confident intent, the action rewinds the unclear message and puts the rephrased one in
its place, as Rasa's own two-stage fallback does on deactivation
(``rasa/core/actions/two_stage_fallback.py``: ``UserUtteranceReverted`` +
``ActionExecuted(action_listen)`` + the clarified ``UserUttered``). Rasa 3.6's processor
then runs ``action_extract_slots`` for the new message (``MessageProcessor._run_action``),
so entity-mapped slots fill through the domain's own mappings, and the policies predict
the next action for the new intent: the dialogue continues as if the customer had typed
the clearer message. Otherwise the canned ``utter_ask_rephrase`` is sent.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, UserUtteranceReverted, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from rephraser.errors import NLUUnavailable
from rephraser.nlu import ParseResult, to_parse_result
from rephraser.service import FallbackRephraser
from shopkernel.env import SettingsError
from shopkernel.masking import mask_phone

log = logging.getLogger(__name__)

CANNED_RESPONSE = "utter_ask_rephrase"
OLDER_CANNED_RESPONSE = "utter_default"  # used if a domain predates utter_ask_rephrase
METADATA_KEY = "rephraser"  # marks a message this action produced; never rephrased twice


class ActionRephraseFallback(Action):
    def __init__(self, rephraser: FallbackRephraser | None = None) -> None:
        self._rephraser = rephraser

    def name(self) -> str:
        return "action_rephrase_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        latest = tracker.latest_message or {}
        metadata = dict(latest.get("metadata") or {})
        if METADATA_KEY in metadata:
            return _canned(dispatcher, domain)  # a rephrasing that still did not work: do not loop
        rephraser = self._get_rephraser()
        if rephraser is None:
            return _canned(dispatcher, domain)
        result = await rephraser.clarify(latest.get("text"), tracker.sender_id, _previous_parse(latest))
        if not result.understood or result.parse is None or result.rephrased is None:
            log.info(
                "fallback conversation=%s: canned clarification (%s)",
                mask_phone(tracker.sender_id),
                result.status,
            )
            return _canned(dispatcher, domain)
        metadata[METADATA_KEY] = {"original_text": latest.get("text")}
        return reinjection_events(result.rephrased, result.parse, tracker, latest, metadata)

    def _get_rephraser(self) -> FallbackRephraser | None:
        if self._rephraser is None:
            try:
                self._rephraser = FallbackRephraser.from_env()
            except SettingsError as exc:
                log.error("rephraser disabled: %s", exc)
                return None
        return self._rephraser


def reinjection_events(
    text: str, parse: ParseResult, tracker: Tracker, latest: dict[str, Any], metadata: dict[str, Any]
) -> list[EventType]:
    """Replace the unclear user turn with the rephrased one (two-stage fallback style)."""
    parse_data = dict(parse.data)
    parse_data["text"] = text
    parse_data["metadata"] = metadata
    user = UserUttered(text, parse_data=parse_data, input_channel=tracker.get_latest_input_channel())
    user["metadata"] = metadata  # rasa reads these keys too; rasa_sdk's helper lacks them
    user["message_id"] = latest.get("message_id")
    return [UserUtteranceReverted(), ActionExecuted("action_listen"), user]


def _previous_parse(latest: dict[str, Any]) -> ParseResult | None:
    try:
        return to_parse_result(latest)
    except NLUUnavailable:
        return None


def _canned(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> list[EventType]:
    """The canned clarification, in the customer's language (variations on the ``language`` slot)."""
    responses = domain.get("responses") if isinstance(domain, dict) else None
    response = CANNED_RESPONSE
    if isinstance(responses, dict) and CANNED_RESPONSE not in responses:
        response = OLDER_CANNED_RESPONSE if OLDER_CANNED_RESPONSE in responses else CANNED_RESPONSE
    dispatcher.utter_message(response=response)
    return []
