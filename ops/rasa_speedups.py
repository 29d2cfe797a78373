"""Measured speed-ups of Rasa 3.6 on this project, each with the same results as Rasa's own code
and each switched off by its own variable (docs/production.md):

* action-result checks with a validator built once (``RASA_CACHED_ACTION_VALIDATION``);
* model load without the one-example training step (``RASA_FAST_MODEL_LOAD``);
* TED predictions remembered by dialogue state (``RASA_TED_CACHE``);
* a tracker's past states built once per event for all policies (``RASA_SHARED_STATES``);
* NLU parses remembered by text (``RASA_NLU_CACHE``).

Action-result checks: Rasa validates every action server answer with
``jsonschema.validate(result, schema)``, which re-checks the (large, ``oneOf`` over every event
type) schema against the meta-schema and builds a new validator on every call: 14.7 ms of CPU
per action call here, several calls per turn (slot-mapping validation, the form, the search).
A validator built once does the same check in 0.6 ms (benchmarks/load_webhook.py, docs/production.md "Load").

Same behaviour: a bad answer still raises ``jsonschema.ValidationError`` with Rasa's message.
Installed by the ops channel in each Rasa process unless ``RASA_CACHED_ACTION_VALIDATION=false``.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)
_installed = False


@lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            "the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install_cached_action_validation() -> bool:
    """Swap in the cached validator (idempotent); True when it is active."""
    global _installed
    from rasa.core.actions.action import RemoteAction

    if not _installed:
        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        _installed = True
        log.info("Rasa action results are validated with a cached JSON-schema validator")
    return _installed


# -- model load ------------------------------------------------------------------------------------
# Rasa builds a loaded DIET/TED model's variables by *training it on one example*
# (``RasaModel.load``: ``model.fit`` on a batch, then ``load_weights``, then one prediction).
# ``fit`` traces the whole training graph (forward, loss, gradients, optimizer): about 70 % of a
# Rasa server's start-up here (py-spy, benchmarks/rasa_startup.py --profile). One eager
# prediction creates every variable that prediction uses; the trained weights are then read
# from the same checkpoint, and the prediction graph traced as Rasa does. Training-only
# variables (optimizer slots, loss layers) stay in the checkpoint, unread; prediction never
# uses them. Fine-tuning (``finetune_mode``) keeps Rasa's path.

_fast_load_installed = False


def rasa_model_load() -> Any:
    """Rasa's own ``RasaModel.load`` (a classmethod), also after the fast load is installed."""
    from rasa.utils.tensorflow.models import RasaModel

    return getattr(RasaModel, "_rasa_load", None) or RasaModel.__dict__["load"]


def fast_model_load(original: Any) -> Any:
    """``RasaModel.load`` without the one-example training step (``original`` for fine-tuning)."""

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if finetune_mode or predict_data_example is None:
            return original.__func__(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        import tensorflow as tf
        from rasa.utils.train_utils import create_data_generators

        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(
            optimizer=tf.keras.optimizers.Adam(config.get("learning_rate", 0.001)),
            run_eagerly=config.get("run_eagerly"),
        )
        generator, _ = create_data_generators(predict_data_example, batch_sizes=1, epochs=1, shuffle=False)
        batch = next(iter(generator))[0]
        model.predict_step(batch)  # eager: creates the prediction variables
        model.load_weights(model_file_name).expect_partial()  # training-only values stay unread
        model.prepared_for_prediction = False  # label embeddings again, now with the trained weights
        if not _autograph():  # the prediction graph traced without AutoGraph: ~5 s less start-up
            model._tf_predict_step = tf.function(
                model.predict_step, input_signature=model._dynamic_signature(batch), autograph=False
            )
        model.run_inference(predict_data_example)  # traces the prediction graph, as Rasa does
        return model

    return classmethod(load)


def _autograph() -> bool:
    """AutoGraph rewrites Python control flow on tensors before tracing. DIET's and TED's
    prediction steps have none (only Python branches on their configuration), and the graph
    traced without it predicts exactly the same; start-up went from 14.3 to 9.6 s without it
    (docs/performance.md). ``RASA_PREDICT_AUTOGRAPH=true`` gives back Rasa's trace."""
    from shopkernel.env import EnvReader

    return EnvReader().flag("RASA_PREDICT_AUTOGRAPH", False)


def install_fast_model_load() -> bool:
    """Load DIET/TED models without the one-example training step (idempotent)."""
    global _fast_load_installed
    from rasa.utils.tensorflow.models import RasaModel

    if not _fast_load_installed:
        original = rasa_model_load()
        RasaModel._rasa_load = original  # type: ignore[attr-defined]
        RasaModel.load = fast_model_load(original)  # type: ignore[method-assign]
        _fast_load_installed = True
        log.info("Rasa models are loaded without the one-example training step")
    return _fast_load_installed


# -- shared by the remembering speed-ups below --------------------------------------------------------


def _remember(cache: Any, key: Any, value: Any, size: int) -> None:
    """Put ``value`` in a bounded LRU ``OrderedDict``, dropping the least recently used."""
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)


def _patch_once(owner: Any, name: str, wrap: Any, message: str, *args: Any) -> bool:
    """Replace ``owner.name`` by ``wrap(original)`` unless already done; True when active.
    The original stays reachable as ``__wrapped__``."""
    current = getattr(owner, name)
    if not getattr(current, "_shop_speedup", False):
        patched = wrap(current)
        patched.__wrapped__ = current
        patched._shop_speedup = True
        setattr(owner, name, patched)
        log.info(message, *args)
    return True


# -- TED predictions remembered by dialogue state --------------------------------------------------
# TED's answer is a function of the featurized dialogue states alone (the last ``max_history``
# turns: intents, entity names, slot features, previous actions, active loop) when it was not
# trained end-to-end on story texts: ``_remove_user_text_if_intent`` drops every text that has
# an intent. Many turns reach a state seen before (the form asking its next slot, a greeting
# after a finished search), so TED's sparse featurization and TensorFlow inference are done
# once per distinct state and the probabilities remembered, as MemoizationPolicy remembers
# story states. A bounded LRU per loaded policy; a new model is a new policy object.

TED_CACHE_SIZE = 4096


def _ted_state_key(policy: Any, tracker: Any, domain: Any, rule_only_data: Any) -> str | None:
    """The states TED featurizes for this prediction, as a string; None when the answer may
    depend on more than the states (end-to-end TED uses the user's text)."""
    import json

    from rasa.core.policies.policy import SupportedData
    from rasa.shared.nlu.constants import TEXT

    if policy.model is None or TEXT in policy.fake_features:
        return None
    ml_only = policy.supported_data() == SupportedData.ML_DATA
    states = policy.featurizer.prediction_states(
        [tracker],
        domain,
        use_text_for_last_user_input=False,
        ignore_rule_only_turns=ml_only,
        rule_only_data=rule_only_data,
        ignore_action_unlikely_intent=ml_only,
    )
    return json.dumps(states, sort_keys=True, default=list)


def remembering_ted_predictions(original: Any, size: int = TED_CACHE_SIZE) -> Any:
    """``TEDPolicy.predict_action_probabilities`` that predicts once per distinct state."""
    from collections import OrderedDict

    def predict_action_probabilities(
        self: Any,
        tracker: Any,
        domain: Any,
        rule_only_data: Any = None,
        precomputations: Any = None,
        **kwargs: Any,
    ) -> Any:
        key = _ted_state_key(self, tracker, domain, rule_only_data)
        if key is None:
            return original(self, tracker, domain, rule_only_data, precomputations, **kwargs)
        cache = self.__dict__.setdefault("_predictions_by_state", OrderedDict())
        known = cache.get(key)
        if known is None:
            known = original(self, tracker, domain, rule_only_data, precomputations, **kwargs)
            if known.optional_events:  # entities predicted from text: not a function of the states
                return known
            _remember(cache, key, known, size)
        else:
            cache.move_to_end(key)
        return self._prediction(
            list(known.probabilities),
            is_end_to_end_prediction=known.is_end_to_end_prediction,
            diagnostic_data=known.diagnostic_data,
        )

    return predict_action_probabilities


def install_ted_prediction_cache() -> bool:
    """Remember TED's predictions by dialogue state (idempotent); True when it is active."""
    from rasa.core.policies.ted_policy import TEDPolicy

    return _patch_once(
        TEDPolicy, "predict_action_probabilities", remembering_ted_predictions,
        "TED predictions are remembered by dialogue state (up to %d states)", TED_CACHE_SIZE,
    )  # fmt: skip


# -- dialogue states computed once per prediction --------------------------------------------------
# Each policy asks the tracker for its past dialogue states (RulePolicy, MemoizationPolicy, and
# TED for its cache key), and each time Rasa replays every event of the conversation to build
# them: 20 % of the Rasa server's event loop at 20 customers. The states are a function of the
# events alone (and of the arguments), so the tracker remembers the last lists it built and
# hands out copies (policies edit the states they get) until an event is added.

def _copy_states(states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """States are dicts of sub-state dicts whose values are strings and tuples."""
    return [{name: dict(sub) for name, sub in state.items()} for state in states]


def sharing_past_states(original: Any) -> Any:
    """``DialogueStateTracker.past_states`` that replays the events once per new event."""

    def past_states(
        self: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Any = None,
    ) -> list[dict[str, Any]]:
        events = self.events
        version = (len(events), id(events[-1]) if events else None, id(domain))
        known = self.__dict__.get("_shared_past_states")
        if known is None or known[0] != version:
            known = (version, {})
            self.__dict__["_shared_past_states"] = known
        key = (omit_unset_slots, ignore_rule_only_turns, id(rule_only_data))
        if key not in known[1]:
            states = original(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            known[1][key] = (rule_only_data, _copy_states(states))  # the data stays alive with its id
            return states
        return _copy_states(known[1][key][1])

    return past_states


def install_shared_past_states() -> bool:
    """Build a tracker's past states once per event for all policies (idempotent)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    return _patch_once(
        DialogueStateTracker, "past_states", sharing_past_states,
        "A tracker's past states are built once per event for all policies",
    )  # fmt: skip


# -- NLU parses remembered by text -----------------------------------------------------------------
# Customers repeat short messages word for word ("hi", "toyota", "2015", "thanks", "شكرا"), and
# the NLU pipeline's answer (intent, ranking, entities) is a function of the text alone: no
# component of this pipeline reads the message's metadata or the conversation (only the date:
# which model years exist, so the remembered parses are forgotten every day). DIET and the
# featurizers were 24 % of the Rasa server's event loop at 20 customers, so each processor
# (one per loaded model) remembers the parses of the last texts and hands out copies.

NLU_CACHE_SIZE = 2000


def remembering_parses(original: Any, size: int = NLU_CACHE_SIZE) -> Any:
    """``MessageProcessor._parse_message_with_graph`` that parses each distinct text once."""
    import copy
    import datetime
    from collections import OrderedDict

    def parse_message_with_graph(
        self: Any, message: Any, tracker: Any, only_output_properties: bool = True
    ) -> dict[str, Any]:
        if not isinstance(message.text, str):
            return original(self, message, tracker, only_output_properties)
        today = datetime.date.today()
        day, cache = self.__dict__.get("_parses_by_text") or (None, None)
        if day != today or cache is None:
            cache = OrderedDict()
            self.__dict__["_parses_by_text"] = (today, cache)
        key = (message.text, only_output_properties)
        known = cache.get(key)
        if known is None:
            known = original(self, message, tracker, only_output_properties)
            _remember(cache, key, copy.deepcopy(known), size)
            return known
        cache.move_to_end(key)
        return copy.deepcopy(known)

    return parse_message_with_graph


def install_nlu_parse_cache() -> bool:
    """Remember NLU parses by text (idempotent); True when it is active."""
    from rasa.core.processor import MessageProcessor

    return _patch_once(
        MessageProcessor, "_parse_message_with_graph", remembering_parses,
        "NLU parses are remembered by text (up to %d texts)", NLU_CACHE_SIZE,
    )  # fmt: skip
