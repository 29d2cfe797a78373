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
