"""The cached action-result validator accepts and refuses exactly what Rasa's own does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from ops.rasa_speedups import _validate_action_result

GOOD = {
    "events": [
        {"event": "slot", "name": "make", "value": "Toyota", "timestamp": None},
        {"event": "active_loop", "name": "part_form"},
    ],
    "responses": [{"text": "Which Toyota model is it?", "buttons": []}],
}
BAD = [
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},  # a slot event needs its name
    {"events": [{"event": "no_such_event"}]},
    {"responses": ["text instead of an object"]},
]


def _rasa_verdict(result: dict) -> bool:
    try:
        validate(result, RemoteAction.action_response_format_spec())
        return True
    except ValidationError:
        return False


def test_valid_answers_pass_both_ways():
    assert _rasa_verdict(GOOD) is True
    assert _validate_action_result(None, GOOD) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_answers_are_refused_like_rasa_does(result: dict):
    assert _rasa_verdict(result) is False
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        _validate_action_result(None, result)


# -- model load without the one-example training step -------------------------------------------------
EXAMPLES = [
    ("need brake pads for my land cruiser", "request_part"),
    ("ابي فحمات لاندكروزر", "request_part"),
    ("abi filter zait camry", "request_part"),
    ("hi there", "greet"),
    ("السلام عليكم", "greet"),
    ("salam", "greet"),
    ("where is your shop", "ask_location"),
    ("وين محلكم", "ask_location"),
    ("wen el mo7al", "ask_location"),
]
UNSEEN = ["brake pad for patrol pls", "هلا", "shop location?", "fa7mat", "filter", "ok"]


@pytest.mark.rasa
def test_fast_model_load_predicts_exactly_what_rasas_load_predicts(tmp_path, monkeypatch):
    """A trained DIET model loaded both ways: same intents, same confidences, same entities."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.classifiers.diet_classifier import DIETClassifier
    from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from rasa.utils.tensorflow.models import RasaModel

    from ops import rasa_speedups

    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "max_ngram": 3},
        storage, Resource("cvf"), context,
    )  # fmt: skip
    data = TrainingData([Message.build(text=t, intent=i) for t, i in EXAMPLES])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    config = {**DIETClassifier.get_default_config(), "epochs": 3, "number_of_transformer_layers": 1,
              "transformer_size": 16, "embedding_dimension": 8, "random_seed": 1}  # fmt: skip
    DIETClassifier.create(config, storage, Resource("diet"), context).train(data)

    def predictions(classifier: DIETClassifier) -> list[tuple]:
        messages = [Message.build(text=t) for t in UNSEEN]
        tokenizer.process(messages)
        featurizer.process(messages)
        classifier.process(messages)
        return [(m.get("intent"), m.get("intent_ranking"), m.get("entities")) for m in messages]

    rasas_load = rasa_speedups.rasa_model_load()
    monkeypatch.setattr(RasaModel, "load", rasas_load)
    as_rasa_loads = predictions(DIETClassifier.load(config, storage, Resource("diet"), context))
    monkeypatch.setattr(RasaModel, "load", rasa_speedups.fast_model_load(rasas_load))
    fits: list[int] = []
    monkeypatch.setattr(RasaModel, "fit", lambda *a, **k: fits.append(1), raising=False)
    monkeypatch.delenv("RASA_PREDICT_AUTOGRAPH", raising=False)
    loaded = DIETClassifier.load(config, storage, Resource("diet"), context)
    assert loaded.model._tf_predict_step.experimental_get_tracing_count() == 1  # traced at load
    assert not loaded.model._tf_predict_step._autograph  # ... and without AutoGraph
    fast = predictions(loaded)
    assert fits == []  # no training step on load
    assert fast == as_rasa_loads
    assert {p[0]["name"] for p in fast} <= {"request_part", "greet", "ask_location"}


# -- TED predictions remembered, past states shared: the assistant's model on tests/stories ------------


@pytest.fixture(scope="module")
def assistant_agent():  # noqa: ANN201
    import asyncio

    from rasa.core.agent import load_agent

    from ops import rasa_speedups
    from tests.helpers.servers import trained_model

    rasa_speedups.install_fast_model_load()
    return asyncio.run(load_agent(model_path=str(trained_model())))


def _story_steps(domain) -> list:  # noqa: ANN001
    """A tracker for every step of every story in tests/stories (the held-out conversations)."""
    from rasa.shared.core.generator import TrainingDataGenerator
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.importers.importer import TrainingDataImporter

    from tests.helpers.servers import ROOT

    stories = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "tests" / "stories")]
    ).get_stories()
    generator = TrainingDataGenerator(stories, domain, remove_duplicates=False, augmentation_factor=0)
    steps = []
    for story in generator.generate():
        events = list(story.events)
        for end in range(1, len(events) + 1):
            tracker = DialogueStateTracker.from_events(story.sender_id, events[:end], domain.slots)
            if tracker.latest_action_name is not None:
                steps.append(tracker)
    return steps


@pytest.mark.rasa
def test_remembered_ted_predictions_equal_teds_own_on_every_step_of_the_test_stories(
    assistant_agent, monkeypatch
):
    """TED with the cache answers exactly what TED answers, and a state seen before costs no
    second TensorFlow inference."""
    from rasa.core.policies.ted_policy import TEDPolicy

    from ops import rasa_speedups

    nodes = assistant_agent.processor.graph_runner._instantiated_nodes.values()
    ted = next(n._component for n in nodes if isinstance(getattr(n, "_component", None), TEDPolicy))
    domain = assistant_agent.domain
    teds_own = TEDPolicy.predict_action_probabilities
    remembered = rasa_speedups.remembering_ted_predictions(teds_own)
    inferences = []
    run_inference = ted.model.run_inference
    monkeypatch.setattr(ted.model, "run_inference", lambda data: inferences.append(1) or run_inference(data))
    steps = _story_steps(domain)
    for tracker in steps:
        own = teds_own(ted, tracker, domain)
        before = len(inferences)
        cached = remembered(ted, tracker, domain)
        assert cached.probabilities == own.probabilities, tracker.sender_id
        assert cached.policy_name == "TEDPolicy"
        cached.probabilities[0] = -1.0  # the ensemble may change a prediction: not the kept one
        assert remembered(ted, tracker, domain).probabilities == own.probabilities
        assert len(inferences) - before <= 1
    distinct = len(ted.__dict__["_predictions_by_state"])
    assert len(steps) > 300 and distinct < len(steps) / 2  # most steps repeat a state seen before
    assert len(inferences) == len(steps) + distinct  # TED's own every step; the cache once per state


def _untimed(event) -> dict:  # noqa: ANN001
    return {k: v for k, v in event.as_dict().items() if k != "timestamp"}


@pytest.mark.rasa
def test_the_policy_ensemble_predicts_the_same_with_shared_states_and_remembered_ted(
    assistant_agent, monkeypatch
):
    """Every step of tests/stories through all policies (rules, memoization, TED) and the
    ensemble: the same action, confidence, policy and events as with Rasa's own code."""
    from rasa.core.policies.ted_policy import TEDPolicy
    from rasa.shared.core.trackers import DialogueStateTracker

    from ops import rasa_speedups

    processor = assistant_agent.processor

    def predictions(trackers: list) -> list[tuple]:
        return [
            (p.max_confidence_index, p.max_confidence, p.policy_name, [_untimed(e) for e in p.events])
            for p in (processor._predict_next_with_tracker(t) for t in trackers)
        ]

    steps = _story_steps(assistant_agent.domain)
    rasas_own = predictions(steps)
    shared = rasa_speedups.sharing_past_states(DialogueStateTracker.past_states)
    monkeypatch.setattr(DialogueStateTracker, "past_states", shared)
    monkeypatch.setattr(
        TEDPolicy,
        "predict_action_probabilities",
        rasa_speedups.remembering_ted_predictions(TEDPolicy.predict_action_probabilities),
    )
    assert predictions(steps) == rasas_own
    assert predictions(steps) == rasas_own  # again: states and TED's answers remembered now
    assert len({p[0] for p in rasas_own}) >= 5  # the stories go through many different actions


@pytest.mark.rasa
def test_remembered_parses_equal_the_pipelines_own_for_the_held_out_messages(assistant_agent, monkeypatch):
    """The 180 held-out messages (never trained on) and button payloads: the same intent,
    ranking and entities as the NLU pipeline gives, and a text seen before is not parsed again."""
    import asyncio

    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.nlu.training_data.loading import load_data

    from ops import rasa_speedups
    from tests.helpers.servers import ROOT

    processor = assistant_agent.processor
    texts = [ex.get("text") for ex in load_data(str(ROOT / "tests" / "nlu_heldout.yml")).intent_examples]
    texts += ['/choose_part{"part_choice": "1"}', "/affirm", "2", "toyota", "شكرا"]

    def parse_all(sender: str) -> list[dict]:
        async def parse() -> list[dict]:
            return [
                await processor.parse_message(UserMessage(t, sender_id=sender, metadata={"wa": sender}))
                for t in texts
            ]

        return asyncio.run(parse())

    pipelines_own = parse_all("+971500000010")
    runs = []
    graph_run = processor.graph_runner.run
    monkeypatch.setattr(processor.graph_runner, "run", lambda **kw: runs.append(1) or graph_run(**kw))
    monkeypatch.setattr(
        MessageProcessor,
        "_parse_message_with_graph",
        rasa_speedups.remembering_parses(MessageProcessor._parse_message_with_graph),
    )
    first = parse_all("+971500000011")
    first[0]["intent"]["name"] = "edited by a caller"  # callers get copies
    again = parse_all("+971500000012")
    assert len(texts) > 180 and again == pipelines_own
    assert first[1:] == pipelines_own[1:]
    assert len(runs) == len(set(texts))  # each distinct text through the pipeline once
