"""The re-injected message really continues the dialogue, checked with Rasa's own classes.

Rasa's RulePolicy is fitted on the project's domain and rules (pure rule extraction, no
neural training), the action runs against the fake OpenAI server and the fake parse
endpoint, and its events are applied to a Rasa ``DialogueStateTracker`` exactly as
``MessageProcessor._log_action_on_tracker`` does after a remote action. The policy must
then predict what the clear message would have started (``part_form``).
"""

from __future__ import annotations

import pathlib
import tempfile

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.rephrase_fallback import ActionRephraseFallback
from tests.fakes.openai_server import json_chat_reply, server_error

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[2]
MESSY = "salam 3ndk pads 4 camry 2015 front"
CLEAR = "Do you have front brake pads for Camry 2015?"


@pytest.fixture(scope="module")
def dialogue():
    """(domain, fitted RulePolicy) from the project's domain.yml and data/."""
    from rasa.core.policies.rule_policy import RulePolicy
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "data")]
    )
    domain = importer.get_domain()
    trackers = TrainingDataGenerator(
        importer.get_stories(), domain, augmentation_factor=0, use_story_concatenation=False
    ).generate()
    storage = LocalModelStorage(pathlib.Path(tempfile.mkdtemp()))
    config = {**RulePolicy.get_default_config(), "core_fallback_threshold": 0.3}
    policy = RulePolicy.create(config, storage, Resource("rules"), ExecutionContext(GraphSchema({}), "test"))
    policy.train(trackers, domain)
    return domain, policy


def next_action(dialogue, tracker) -> str:
    domain, policy = dialogue
    prediction = policy.predict_action_probabilities(tracker, domain)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    return domain.action_names_or_texts[best]


def rasa_tracker(dialogue, in_form: bool):
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    domain, _ = dialogue
    events = [ActionExecuted("action_listen")]
    if in_form:
        events += [
            UserUttered("I need a part", {"name": "request_part", "confidence": 0.99}),
            ActionExecuted("part_form"),
            ActiveLoop("part_form"),
            SlotSet("requested_slot", "part"),
            ActionExecuted("action_listen"),
        ]
    events.append(UserUttered(MESSY, {"name": "nlu_fallback", "confidence": 0.45}, input_channel="whatsapp"))
    return DialogueStateTracker.from_events("971501234567", events, domain.slots)


def reach_fallback(dialogue, tracker, in_form: bool) -> None:
    """Predict up to action_rephrase_fallback. In an active form the form runs first; only
    when it fills nothing from the message does Rasa reject it (ActionExecutionRejected) and
    the rule for nlu_fallback inside the form apply."""
    from rasa.shared.core.events import ActionExecutionRejected

    if in_form:
        assert next_action(dialogue, tracker) == "part_form"
        tracker.update(ActionExecutionRejected("part_form"))
    assert next_action(dialogue, tracker) == "action_rephrase_fallback"


async def run_remote(action: ActionRephraseFallback, tracker, dialogue) -> tuple[list, CollectingDispatcher]:
    """What Rasa does around a remote action: send the tracker state, apply the events back."""
    from rasa.shared.core.events import ActionExecuted, Event
    from rasa.shared.core.trackers import EventVerbosity

    domain, _ = dialogue
    sdk_tracker = Tracker.from_dict(tracker.current_state(EventVerbosity.AFTER_RESTART))
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, sdk_tracker, domain.as_dict())
    tracker.update(ActionExecuted(action.name()))
    tracker.update_with_events([Event.from_parameters(e) for e in events], domain)
    return events, dispatcher


@pytest.mark.parametrize("in_form", [False, True], ids=["new-request", "inside-part-form"])
async def test_rephrased_request_starts_or_continues_the_parts_form(
    in_form, dialogue, fake_openai, fake_rasa, make_rephraser
):
    fake_rasa.script(CLEAR, "request_part", 0.93, part="brake pads", model="Camry", year="2015")
    fake_openai.script_chat(json_chat_reply({"rephrased": CLEAR}))
    tracker = rasa_tracker(dialogue, in_form)
    reach_fallback(dialogue, tracker, in_form)

    _, dispatcher = await run_remote(ActionRephraseFallback(make_rephraser()), tracker, dialogue)

    assert dispatcher.messages == []
    assert tracker.latest_message.text == CLEAR
    assert tracker.latest_message.intent["name"] == "request_part"
    assert [e["entity"] for e in tracker.latest_message.entities] == ["part", "model", "year"]
    assert tracker.latest_message.metadata["rephraser"] == {"original_text": MESSY}
    assert tracker.get_latest_input_channel() == "whatsapp"  # channel-specific responses still apply
    # the unclear message is gone from the applied history, as after a two-stage fallback
    applied_texts = [getattr(e, "text", None) for e in tracker.applied_events()]
    assert MESSY not in applied_texts
    assert next_action(dialogue, tracker) == "part_form"


async def test_canned_reply_leaves_the_form_to_ask_again(dialogue, fake_openai, fake_rasa, make_rephraser):
    fake_openai.script_chat(server_error())
    tracker = rasa_tracker(dialogue, in_form=True)
    reach_fallback(dialogue, tracker, in_form=True)

    events, dispatcher = await run_remote(ActionRephraseFallback(make_rephraser()), tracker, dialogue)

    assert events == [] and dispatcher.messages[0]["response"] in {"utter_ask_rephrase", "utter_default"}
    assert next_action(dialogue, tracker) == "part_form"
