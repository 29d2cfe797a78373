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
