"""Structured logs: one JSON object per line, with the conversation id and no phone numbers.

WhatsApp conversation ids *are* phone numbers, so a log line never carries one in clear:
``customer`` is the masked number (``9715****4567``) and ``conversation_id`` a keyed hash
(``c-3f9a…``, stable, so staff can grep one conversation). Every message and traceback is
also scrubbed of anything that looks like a phone number.

``LOG_FORMAT=json`` turns it on: in the Rasa server through the ops channel
(ops/rasa_channel.py, listed in deploy/credentials.yml), in the action server through
``python -m ops.action_server``. Both call :func:`configure`.
The connector binds the conversation with :func:`bind_conversation` when a turn starts.

    python -m ops.logging conversation-id 971501234567   # the id to grep for
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
import re
import sys
import time
from typing import Any

from ops.settings import OpsSettings
from shopkernel.masking import mask_phone

_conversation: contextvars.ContextVar[str | None] = contextvars.ContextVar("conversation", default=None)
_hash_key: bytes = b""

# 9-15 digits, optional "+", not inside a word, a decimal number or a longer digit run.
_PHONE = re.compile(r"(?<![\w.+])\+?\d{9,15}(?![\w]|\.\d)")
_BSUID = re.compile(r"\b([A-Z]{2})\.\d{6,}\b")
# Standard LogRecord attributes; anything else passed with extra= becomes a JSON field.
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def scrub(text: str) -> str:
    """Mask every phone-number-like run of digits and every BSUID in free text."""
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    return _BSUID.sub(lambda m: mask_phone(m.group(0)), text)


def conversation_ref(sender_id: str, key: bytes | None = None) -> str:
    """A stable, non-reversible id for a conversation (HMAC-SHA256 with LOG_HASH_KEY)."""
    digest = hmac.new(key if key is not None else _hash_key, sender_id.encode("utf-8"), hashlib.sha256)
    return "c-" + digest.hexdigest()[:12]


def bind_conversation(sender_id: str | None) -> contextvars.Token:
    """Tag every log line of the current task (a turn, an action call) with this conversation."""
    return _conversation.set(sender_id)


def current_conversation() -> str | None:
    return _conversation.get()


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", "conversation_id", "customer", "exc", ...extra}``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "msg": scrub(record.getMessage()),
        }
        sender = getattr(record, "conversation", None) or current_conversation()
        if sender:
            entry["conversation_id"] = conversation_ref(str(sender))
            entry["customer"] = mask_phone(str(sender))
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in entry and key != "conversation":
                entry[key] = scrub(value) if isinstance(value, str) else _jsonable(value)
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class ScrubbingTextFormatter(logging.Formatter):
    """Human-readable lines for development, still without phone numbers."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(conv)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        sender = getattr(record, "conversation", None) or current_conversation()
        record.conv = conversation_ref(str(sender)) if sender else "-"
        return scrub(super().format(record))


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return scrub(repr(value))


def set_hash_key(key: str) -> None:
    global _hash_key
    _hash_key = key.encode("utf-8")


def configure(settings: OpsSettings, stream: Any = None) -> logging.Handler:
    """Send every log record of this process through one scrubbing handler on stderr."""
    set_hash_key(settings.log_hash_key)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else ScrubbingTextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    return handler


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "conversation-id":
        print("usage: python -m ops.logging conversation-id <sender id or phone number>", file=sys.stderr)
        return 2
    print(conversation_ref(args[1], OpsSettings.from_env().log_hash_key.encode("utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
