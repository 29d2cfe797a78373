"""Parsing of Meta's webhook envelope into small dataclasses.

Parsing never raises on odd shapes: Meta batches several entries, changes and
messages in one body, adds fields over time, and a signed body we cannot read must
still be acknowledged (a non-200 makes Meta retry for 7 days). Items we cannot use
are counted in ``skipped`` and logged by the caller.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class WebhookBodyError(ValueError):
    """The body is not a JSON object (nothing in it can be processed)."""


@dataclass(frozen=True)
class ErrorInfo:
    """One item of an ``errors[]`` array (statuses, messages or ``value.errors``)."""

    code: int | None
    title: str = ""
    message: str = ""
    details: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """One customer message with the envelope facts the dialogue may need."""

    message_id: str
    sender_id: str
    type: str
    body: dict[str, Any]
    wa_id: str | None = None
    user_id: str | None = None
    profile_name: str | None = None
    timestamp: int | None = None
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    context_message_id: str | None = None
    errors: tuple[ErrorInfo, ...] = ()


@dataclass(frozen=True)
class StatusUpdate:
    """A receipt for one of our sends (sent/delivered/read/failed/played)."""

    message_id: str
    status: str
    recipient_id: str | None
    timestamp: int | None
    phone_number_id: str | None
    errors: tuple[ErrorInfo, ...] = ()


@dataclass
class WebhookBatch:
    """Everything one POST carried."""

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    errors: list[ErrorInfo] = field(default_factory=list)
    skipped: int = 0


def load_body(raw: bytes) -> dict[str, Any]:
    """Decode the raw request body; raise :class:`WebhookBodyError` if unusable."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookBodyError(f"body is not JSON: {exc}") from None
    except RecursionError:  # "[[[[…" thousands deep: not a webhook, and must not be a 503 loop
        raise WebhookBodyError("body is nested too deeply") from None
    if not isinstance(doc, dict):
        raise WebhookBodyError(f"body is a JSON {type(doc).__name__}, not an object")
    return doc


def parse_webhook(doc: dict[str, Any]) -> WebhookBatch:
    """Walk every ``entry[]``/``changes[]`` and collect messages, statuses and errors."""
    batch = WebhookBatch()
    for entry in _dicts(doc.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue  # account_update, template status...: acknowledged and ignored
            _parse_value(value, batch)
    return batch


def _parse_value(value: dict[str, Any], batch: WebhookBatch) -> None:
    metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
    phone_number_id = _str(metadata.get("phone_number_id"))
    display_number = _str(metadata.get("display_phone_number"))
    contacts = _dicts(value.get("contacts"))
    for raw in _as_list(value.get("messages")):
        message = _parse_message(raw, contacts, phone_number_id, display_number)
        if message is None:
            batch.skipped += 1
        else:
            batch.messages.append(message)
    for raw in _as_list(value.get("statuses")):
        status = _parse_status(raw, phone_number_id)
        if status is None:
            batch.skipped += 1
        else:
            batch.statuses.append(status)
    batch.errors.extend(parse_errors(value.get("errors")))


def _parse_message(
    raw: Any, contacts: list[dict[str, Any]], phone_number_id: str | None, display_number: str | None
) -> InboundMessage | None:
    if not isinstance(raw, dict):
        return None
    message_id = _str(raw.get("id"))
    kind = _str(raw.get("type"))
    wa_id = _str(raw.get("from"))
    user_id = _str(raw.get("from_user_id"))
    contact = _match_contact(contacts, wa_id, user_id)
    wa_id = wa_id or _str(contact.get("wa_id"))
    user_id = user_id or _str(contact.get("user_id"))
    sender_id = wa_id or user_id
    if not message_id or not kind or not sender_id:
        return None
    profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
    context = raw.get("context") if isinstance(raw.get("context"), dict) else {}
    return InboundMessage(
        message_id=message_id,
        sender_id=sender_id,
        type=kind,
        body=raw,
        wa_id=wa_id,
        user_id=user_id,
        profile_name=_str(profile.get("name")),
        timestamp=_timestamp(raw.get("timestamp")),
        phone_number_id=phone_number_id,
        display_phone_number=display_number,
        context_message_id=_str(context.get("id")),
        errors=tuple(parse_errors(raw.get("errors"))),
    )


def _match_contact(contacts: list[dict[str, Any]], wa_id: str | None, user_id: str | None) -> dict[str, Any]:
    for contact in contacts:
        if (wa_id and _str(contact.get("wa_id")) == wa_id) or (
            user_id and _str(contact.get("user_id")) == user_id
        ):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _parse_status(raw: Any, phone_number_id: str | None) -> StatusUpdate | None:
    if not isinstance(raw, dict) or not _str(raw.get("id")) or not _str(raw.get("status")):
        return None
    return StatusUpdate(
        message_id=_str(raw.get("id")) or "",
        status=_str(raw.get("status")) or "",
        recipient_id=_str(raw.get("recipient_id")) or _str(raw.get("recipient_user_id")),
        timestamp=_timestamp(raw.get("timestamp")),
        phone_number_id=phone_number_id,
        errors=tuple(parse_errors(raw.get("errors"))),
    )


def parse_errors(raw: Any) -> list[ErrorInfo]:
    """``errors[]`` items: ``{code, title, message, error_data: {details}}``."""
    result = []
    for item in _dicts(raw):
        data = item.get("error_data") if isinstance(item.get("error_data"), dict) else {}
        result.append(
            ErrorInfo(
                code=_code(item.get("code")),
                title=_str(item.get("title")) or "",
                message=_str(item.get("message")) or "",
                details=_str(data.get("details")) or "",
            )
        )
    return result


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in _as_list(value) if isinstance(item, dict)]


def _str(value: Any) -> str | None:
    """Identifiers arrive as strings; accept numbers too, reject everything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int)):
        text = str(value).strip()
        return text or None
    return None


def _timestamp(value: Any) -> int | None:
    text = _str(value)
    return int(text) if _is_small_int(text) else None


def _code(value: Any) -> int | None:
    text = _str(value)
    return int(text) if _is_small_int(text) else None


def _is_small_int(text: str | None) -> bool:
    """ASCII digits only (``int("²")`` raises) and short enough to be a real value."""
    return bool(text) and text.isascii() and text.isdigit() and len(text) <= 18
