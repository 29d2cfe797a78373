"""``IntentRules``: the intent a message must get from its words, whatever DIET guessed.

Runs after DIET and the FallbackClassifier. The readings come from the plain-Python
``conversation.replies`` (word lists in ``catalog/vocabulary/conversation_words.yml``) and
``catalog.vehicle_ids``; this module only rewrites the parse:

* a chassis number (VIN or frame number) anywhere -> ``inform``, unless the customer asks for a
  person or a store fact (the parts form then reads, decodes and confirms the number);
* an explicit "start over" -> ``restart``; ``restart`` without such words -> the next intent
  (only an explicit restart may clear the conversation);
* "I don't want it", "cancel my order", "ما ابيه" -> ``deny`` (never an order or a data deletion);
* a deletion request that names no personal data ("امسح الطلب") -> ``deny``;
* "I'll take it", "ابغاه", "how do I buy" without a part or car in it -> ``choose_part``;
* a row of the list by its number ("2", "no. 2", "رقم ٣", "raqam 3") -> ``choose_part``, and the
  digit is no model year (the model read a lone "2" as ``inform`` with year 2);
* a short yes/no reply ("yep", "aywa", "اي نعم", "la2", "مب") -> ``affirm`` / ``deny``;
* a message of fillers only ("I mean", "يعني", "ya3ni the") -> ``nlu_fallback`` (it must not
  order the item shown nor replace a value);
* ``unclear`` (a symptom or a story without a part: data/nlu/unclear.yml) -> ``nlu_fallback``,
  the rephraser's way in; with a part or a car in it, the model's next guess instead.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from catalog.vehicle_ids import find_vehicle_ids
from conversation.replies import (
    asks_to_order,
    asks_to_restart,
    names_a_position,
    names_personal_data,
    only_fillers,
    refuses,
    yes_or_no,
)

KEEP_WITH_A_CHASSIS_NUMBER = frozenset({"human_handoff", "ask_store_info", "request_part", "inform"})
VEHICLE_OR_PART = frozenset({"part", "make", "model", "year", "part_number"})
UNCLEAR, FALLBACK = "unclear", "nlu_fallback"
# Intents a refusal ("cancel it", "ما ابيه") is mistaken for; a refusal is a "no" instead.
# (Not inform/request_part: "I don't want pads, I need a filter" is a correction.)
REFUSED_AS = frozenset({"choose_part", "affirm"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRules(GraphComponent, IntentClassifier):
    """Deterministic intents for chassis numbers, restarts, orders and short yes/no replies."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self.component_config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentRules:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue
            current = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if names_a_position(text):
                entities = message.get(ENTITIES) or []
                message.set(ENTITIES, [e for e in entities if e.get("entity") != "year"], add_to_output=True)
            names = {e.get("entity") for e in message.get("entities") or []}
            wanted = intent_for(text, current, names, _ranking(message))
            if wanted and wanted != current:
                _set_intent(message, wanted)
        return messages


def intent_for(text: str, current: str | None, entities: set[str], ranking: list[str]) -> str | None:
    """The intent the words demand, or None to keep the model's guess."""
    if find_vehicle_ids(text) and current not in KEEP_WITH_A_CHASSIS_NUMBER:
        return "inform"
    if asks_to_restart(text):
        return "restart"
    if names_a_position(text):
        return "choose_part"
    guess = current
    if current == "restart":  # only an explicit restart may clear the conversation
        guess = next((name for name in ranking if name not in ("restart", "nlu_fallback")), "inform")
    wanted = _from_words(text, guess, entities, ranking)
    if wanted is None and guess != current:
        return guess
    return wanted


def _from_words(text: str, guess: str | None, entities: set[str], ranking: list[str]) -> str | None:
    """Refusals, orders, yes/no, fillers and unclear messages, read over the model's ``guess``."""
    if guess == "request_data_deletion":  # "forget it", "امسح الطلب": not about the customer's data
        return None if names_personal_data(text) else "deny"
    if guess in REFUSED_AS and refuses(text):
        return "deny"  # "I don't want it" is not an order
    if asks_to_order(text) and not (entities & VEHICLE_OR_PART):
        # "لا خلاص ما ابيه" holds "ابيه" (I want it) but is a refusal, whatever the model said
        return "deny" if refuses(text) else "choose_part"
    answer = yes_or_no(text)
    if answer is not None:
        return "affirm" if answer == "yes" else "deny"
    if only_fillers(text):
        return FALLBACK  # "I mean", "يعني", "model": never an order, a part or a car
    if guess == UNCLEAR:
        if entities & VEHICLE_OR_PART:
            return next((name for name in ranking if name not in (UNCLEAR, FALLBACK)), "request_part")
        return FALLBACK
    return None


def _ranking(message: Message) -> list[str]:
    return [r.get(INTENT_NAME_KEY) for r in message.get(INTENT_RANKING_KEY) or []]


def _set_intent(message: Message, name: str) -> None:
    """The new intent on top, with full confidence; the rest of the ranking stays for reference."""
    chosen = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
