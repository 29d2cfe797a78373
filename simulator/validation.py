"""Checks the fake Graph API applies to POST /messages, with Meta's error codes.

Meta rejects over-long titles, too many buttons or rows, missing fields, with
code 131009 ("Parameter value is not valid"), 131008 ("Required parameter is
missing") or 100 ("Invalid parameter"), and the specific reason in
``error_data.details``. Catching those here is the point of the simulator: a
connector bug shows up locally, not as a silently dropped message in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_VERSION = re.compile(r"^v\d+\.\d+$")
MEDIA_TYPES = {"image", "audio", "video", "document", "sticker"}
MESSAGE_TYPES = {"text", "interactive", "location", "contacts", "template", "reaction"} | MEDIA_TYPES


@dataclass
class MetaError(Exception):
    """Raised by a check; the server turns it into Meta's ``{"error": {...}}`` body."""

    code: int
    details: str
    http_status: int = 400

    @property
    def message(self) -> str:
        titles = {
            100: "Invalid parameter",
            131008: "Required parameter is missing",
            131009: "Parameter value is not valid",
            131051: "Unsupported message type",
        }
        return f"(#{self.code}) {titles.get(self.code, 'Error')}"


def check_version(version: str) -> None:
    if not _VERSION.match(version):
        raise MetaError(100, f"Unknown path components: /{version}", http_status=400)


def check_message(payload: Any) -> str:
    """Validate a send; return "read" for a mark-as-read call, else the message type."""
    if not isinstance(payload, dict):
        raise MetaError(100, "Request body must be a JSON object")
    if payload.get("messaging_product") != "whatsapp":
        raise MetaError(100, "The parameter messaging_product is required and must be 'whatsapp'.")
    if payload.get("status") == "read":
        _require_str(payload, "message_id", "message_id")
        indicator = payload.get("typing_indicator")
        if indicator is not None and (not isinstance(indicator, dict) or indicator.get("type") != "text"):
            raise MetaError(131009, "typing_indicator.type must be 'text'")
        return "read"
    if not _non_empty(payload.get("to")) and not _non_empty(payload.get("recipient")):
        raise MetaError(131008, "The parameter to is required.")
    kind = payload.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise MetaError(131051 if isinstance(kind, str) else 100, f"Message type {kind!r} is not supported.")
    content = payload.get(kind)
    if not isinstance(content, (dict, list)):
        raise MetaError(131008, f"The parameter {kind} is required.")
    _CHECKS.get(kind, lambda _c: None)(content)
    return kind


def _text(content: dict[str, Any]) -> None:
    body = _require_str(content, "body", "text.body")
    _max(body, 4096, "text.body")


def _interactive(content: dict[str, Any]) -> None:
    kind = content.get("type")
    body = content.get("body")
    if kind in ("button", "list"):
        if not isinstance(body, dict):
            raise MetaError(131008, "The parameter interactive.body is required.")
        _max(_require_str(body, "text", "interactive.body.text"), 1024, "interactive.body.text")
    _check_header_footer(content)
    action = content.get("action")
    if not isinstance(action, dict):
        raise MetaError(131008, "The parameter interactive.action is required.")
    if kind == "button":
        _buttons(action)
    elif kind == "list":
        _list(action)
    elif kind not in ("cta_url", "product", "product_list", "flow", "location_request_message"):
        raise MetaError(100, f"Invalid interactive type {kind!r}")


def _check_header_footer(content: dict[str, Any]) -> None:
    header = content.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        _max(_require_str(header, "text", "interactive.header.text"), 60, "interactive.header.text")
    footer = content.get("footer")
    if footer is not None:
        if not isinstance(footer, dict):
            raise MetaError(100, "interactive.footer must be an object")
        _max(_require_str(footer, "text", "interactive.footer.text"), 60, "interactive.footer.text")


def _buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise MetaError(131009, "Number of buttons invalid. Min: 1, Max: 3")
    titles, ids = set(), set()
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(button, dict) or button.get("type") != "reply" or not isinstance(reply, dict):
            raise MetaError(100, "Each button must be {type: reply, reply: {id, title}}")
        title = _require_str(reply, "title", "button.reply.title")
        if len(title) > 20:
            raise MetaError(131009, "Button title length invalid. Min length: 1, Max length: 20")
        button_id = _require_str(reply, "id", "button.reply.id")
        if len(button_id) > 256 or button_id != button_id.strip():
            raise MetaError(131009, "Button id invalid. Max length: 256, no leading or trailing spaces")
        if title in titles or button_id in ids:
            raise MetaError(131009, "Button title and id must be unique")
        titles.add(title)
        ids.add(button_id)


def _list(action: dict[str, Any]) -> None:
    _max(_require_str(action, "button", "action.button"), 20, "action.button")
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise MetaError(131009, "Number of sections invalid. Min: 1, Max: 10")
    rows_total, ids = 0, set()
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list) or not section["rows"]:
            raise MetaError(131008, "Each section needs a non-empty rows array")
        if len(sections) > 1 or "title" in section:
            _max(_require_str(section, "title", "section.title"), 24, "section.title")
        for row in section["rows"]:
            rows_total += 1
            if not isinstance(row, dict):
                raise MetaError(100, "Each row must be an object")
            row_id = _require_str(row, "id", "row.id")
            _max(row_id, 200, "row.id")
            if row_id in ids:
                raise MetaError(131009, "Row id must be unique across sections")
            ids.add(row_id)
            _max(_require_str(row, "title", "row.title"), 24, "row.title")
            if "description" in row:
                if not isinstance(row["description"], str):
                    raise MetaError(100, "row.description must be a string")
                _max(row["description"], 72, "row.description")
    if rows_total > 10:
        raise MetaError(131009, "Total row count exceed max allowed count: 10")


def _media(content: dict[str, Any]) -> None:
    link, media_id = content.get("link"), content.get("id")
    if not _non_empty(link) and not _non_empty(media_id):
        raise MetaError(131008, "Media needs an id or a link")
    if _non_empty(link) and not str(link).lower().startswith(("http://", "https://")):
        raise MetaError(131009, "Media link must be an http(s) URL")
    if "caption" in content:
        _max(str(content["caption"]), 1024, "caption")


def _template(content: dict[str, Any]) -> None:
    _require_str(content, "name", "template.name")
    language = content.get("language")
    if not isinstance(language, dict) or not _non_empty(language.get("code")):
        raise MetaError(131008, "The parameter template.language.code is required.")


def _reaction(content: dict[str, Any]) -> None:
    _require_str(content, "message_id", "reaction.message_id")


def _location(content: dict[str, Any]) -> None:
    for key in ("latitude", "longitude"):
        if not isinstance(content.get(key), (int, float)):
            raise MetaError(131008, f"The parameter location.{key} is required.")


_CHECKS = {
    "text": _text,
    "interactive": _interactive,
    "template": _template,
    "reaction": _reaction,
    "location": _location,
    **{kind: _media for kind in MEDIA_TYPES},
}


def _non_empty(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _require_str(obj: dict[str, Any], key: str, name: str) -> str:
    value = obj.get(key)
    if not _non_empty(value):
        raise MetaError(131008, f"The parameter {name} is required.")
    return value


def _max(value: str, limit: int, name: str) -> None:
    if len(value) > limit:
        raise MetaError(131009, f"Param {name} must be at most {limit} characters long.")
