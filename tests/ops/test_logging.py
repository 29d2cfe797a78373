"""Log lines never carry a phone number in clear, and are tied to their conversation."""

from __future__ import annotations

import io
import json
import logging

import pytest

from ops import logging as ops_logging
from ops.settings import OpsSettings
from shopkernel.env import SettingsError


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("from 971501234567 ok", "from 9715****4567 ok"),
        ("to +971501234567.", "to 9715****4567."),
        ("local 0501234567", "local 0501****4567"),
        ("sender_id='971501234567'", "sender_id='9715****4567'"),
        ("user AE.1349872345 wrote", "user AE.****2345 wrote"),
    ],
)
def test_phone_numbers_are_masked(raw: str, masked: str):
    assert ops_logging.scrub(raw) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "price 1250.00 AED",
        "year 2015",
        "ts 1732500000.123",
        "sku TOY-0446560280X",
        "order #12345678",
        "v21.0",
    ],
)
def test_ordinary_numbers_are_kept(kept: str):
    assert ops_logging.scrub(kept) == kept


def _json_line(settings: OpsSettings, emit) -> dict:  # noqa: ANN001
    stream = io.StringIO()
    ops_logging.configure(settings, stream)
    try:
        emit(logging.getLogger("rasa.core.processor"))
    finally:
        ops_logging.configure(OpsSettings())  # back to text on stderr for other tests
    return json.loads(stream.getvalue().splitlines()[-1])


def test_json_line_has_the_conversation_and_masks_everything():
    settings = OpsSettings(log_format="json", log_hash_key="shop-secret")

    def emit(log: logging.Logger) -> None:
        ops_logging.bind_conversation("971501234567")
        try:
            raise ValueError("lookup failed for 971501234567")
        except ValueError:
            log.exception("turn failed for %s", "971501234567", extra={"action": "action_search_parts"})

    line = _json_line(settings, emit)
    ops_logging.bind_conversation(None)
    text = json.dumps(line)
    assert "971501234567" not in text
    assert line["level"] == "ERROR" and line["logger"] == "rasa.core.processor"
    assert line["msg"] == "turn failed for 9715****4567"
    assert line["customer"] == "9715****4567"
    assert line["action"] == "action_search_parts"
    assert line["conversation_id"] == ops_logging.conversation_ref("971501234567", b"shop-secret")
    assert "ValueError" in line["exc"]


def test_conversation_ref_is_stable_and_depends_on_the_key():
    a = ops_logging.conversation_ref("971501234567", b"k1")
    assert a == ops_logging.conversation_ref("971501234567", b"k1")
    assert a != ops_logging.conversation_ref("971501234567", b"k2")
    assert a != ops_logging.conversation_ref("971501234568", b"k1")
    assert a.startswith("c-") and "4567" not in a


def test_cli_prints_the_id_to_grep_for(capsys, monkeypatch):
    monkeypatch.setenv("LOG_HASH_KEY", "k1")
    assert ops_logging.main(["conversation-id", "971501234567"]) == 0
    assert capsys.readouterr().out.strip() == ops_logging.conversation_ref("971501234567", b"k1")
    assert ops_logging.main(["bogus"]) == 2


def test_bad_log_format_is_refused():
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        OpsSettings.from_env({"LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="READY_TIMEOUT_SECONDS"):
        OpsSettings.from_env({"READY_TIMEOUT_SECONDS": "soon"})
