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
