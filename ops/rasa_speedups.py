"""A measured fix for the hottest spot of a Rasa 3.6 turn on this project: action-result checks.

Rasa validates every action server answer with ``jsonschema.validate(result, schema)``, which
re-checks the (large, ``oneOf`` over every event type) schema against the meta-schema and
builds a new validator on every call: 14.7 ms of CPU per action call here, several calls per
turn (slot-mapping validation, the form, the search). A validator built once does the same
check in 0.6 ms (benchmarks/load_webhook.py, docs/production.md "Load").

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
