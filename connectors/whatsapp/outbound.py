"""Builders for outgoing message objects, within WhatsApp's limits.

Over-long fields can make Meta drop a message silently, so every field is cut to
its limit here (with an ellipsis) and the full wording moves where it fits: a list
row's description, or a plain text message before an over-long body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shopkernel.copy import say
from shopkernel.language import script_language

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
MAX_BUTTONS = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
MAX_ROWS = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
SECTION_TITLE_MAX = 24
CAPTION_MAX = 1024
ELLIPSIS = "…"

_BSUID = re.compile(r"^[A-Z]{2}(\.ENT)?\.[A-Za-z0-9]+$")
_URL = re.compile(r"https?://", re.IGNORECASE)
_SPLIT_MARKS = ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " ")


@dataclass(frozen=True)
class Choice:
    """One option the customer can tap; ``payload`` is what Rasa receives back."""

    title: str
    payload: str
    description: str = ""


def is_bsuid(recipient_id: str) -> bool:
    """Business-scoped user ids (``US.1349…``) go in ``recipient``; phone numbers in ``to``."""
    return bool(_BSUID.match(recipient_id))


def envelope(recipient_id: str, message: dict[str, Any]) -> dict[str, Any]:
    """Add the fields every send needs; ``message`` holds ``type`` and its object."""
    body = {
        key: value for key, value in message.items() if key not in ("to", "recipient", "messaging_product")
    }
    addressee = {"recipient": recipient_id} if is_bsuid(recipient_id) else {"to": recipient_id}
    return {"messaging_product": "whatsapp", "recipient_type": "individual", **addressee, **body}


def truncate(text: str, limit: int) -> str:
    text = str(text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Cut long text at the best boundary (paragraph, line, sentence, word) before ``limit``."""
    rest = text.strip()
    chunks: list[str] = []
    while len(rest) > limit:
        cut = _best_cut(rest[: limit + 1], limit)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return [chunk for chunk in chunks if chunk]


def _best_cut(window: str, limit: int) -> int:
    for mark in _SPLIT_MARKS:
        pos = window.rfind(mark, 0, limit)
        if pos >= limit // 2:
            return pos + len(mark.rstrip()) if mark.strip() else pos
    return limit


def text_message(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body, "preview_url": bool(_URL.search(body))}}


def image_message(link: str, caption: str = "") -> dict[str, Any]:
    image: dict[str, Any] = {"link": link}
    if caption:
        image["caption"] = truncate(caption, CAPTION_MAX)
    return {"type": "image", "image": image}


TEMPLATE_PARAM_MAX = 1024


def template_message(name: str, language: str, parameters: Sequence[str] = ()) -> dict[str, Any]:
    """An approved template; ``parameters`` fill its body variables ``{{1}}``, ``{{2}}``… in order.

    Meta refuses a variable with a newline, a tab or more than four spaces in a row (132018), so
    each value is folded to one line.
    """
    template: dict[str, Any] = {"name": name, "language": {"code": language}}
    if parameters:
        values = [truncate(" ".join(str(value).split()), TEMPLATE_PARAM_MAX) for value in parameters]
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": value} for value in values]}
        ]
    return {"type": "template", "template": template}


def choices_from_buttons(buttons: list[Any]) -> list[Choice]:
    """Rasa buttons/quick replies (``title``, ``payload``) as choices; unusable items dropped."""
    choices: list[Choice] = []
    seen: set[str] = set()
    for button in buttons or []:
        if not isinstance(button, dict):
            continue
        title = " ".join(str(button.get("title") or "").split())
        payload = str(button.get("payload") or title).strip()
        if not payload or payload in seen:
            continue
        seen.add(payload)
        choices.append(
            Choice(title=title or payload, payload=payload, description=str(button.get("description") or ""))
        )
    return choices


def fits_reply_buttons(choices: list[Choice]) -> bool:
    titles = [c.title for c in choices]
    return (
        1 <= len(choices) <= MAX_BUTTONS
        and all(0 < len(t) <= BUTTON_TITLE_MAX for t in titles)
        and len({t.casefold() for t in titles}) == len(titles)
        and all(len(c.payload) <= BUTTON_ID_MAX and not c.description for c in choices)
    )


def interactive_messages(
    text: str, choices: list[Choice], language: str | None = None
) -> list[dict[str, Any]]:
    """Reply buttons when they fit, else lists of at most 10 rows (several if needed).

    Any text that does not fit the 1024-character body goes first as plain text.
    Payloads must already fit the id limits (see aliases.py). The connector's own words
    (config/customer_copy.yml, ``lists``) follow ``language``, else the script of ``text``.
    """
    language = language or script_language(text)
    messages: list[dict[str, Any]] = []
    body = text.strip() or say("lists.choose_option", language)
    if len(body) > INTERACTIVE_BODY_MAX:
        messages.extend(text_message(part) for part in split_text(body))
        body = say("lists.choose_option", language)
    if not choices:
        return messages or [text_message(body)]
    if fits_reply_buttons(choices):
        messages.append(_button_message(body, choices))
        return messages
    pages = [choices[i : i + MAX_ROWS] for i in range(0, len(choices), MAX_ROWS)]
    for number, page in enumerate(pages, start=1):
        page_body = (
            body if number == 1 else say("lists.more_options", language, page=number, pages=len(pages))
        )
        # one button label only (20 characters): English when the language is unknown
        messages.append(_list_message(page_body, page, say("lists.list_button", language or "en")))
    return messages


def _button_message(body: str, choices: list[Choice]) -> dict[str, Any]:
    buttons = [{"type": "reply", "reply": {"id": c.payload, "title": c.title}} for c in choices]
    return {
        "type": "interactive",
        "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}},
    }


def _list_message(body: str, choices: list[Choice], list_button: str) -> dict[str, Any]:
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": truncate(list_button, LIST_BUTTON_MAX),
                "sections": [{"rows": _rows(choices)}],
            },
        },
    }


def _rows(choices: list[Choice]) -> list[dict[str, Any]]:
    rows = []
    for choice in choices:
        title = truncate(choice.title, ROW_TITLE_MAX)
        description = choice.description or (choice.title if title != choice.title.strip() else "")
        row: dict[str, Any] = {"id": choice.payload, "title": title}
        if description:
            row["description"] = truncate(description, ROW_DESCRIPTION_MAX)
        rows.append(row)
    return rows


def fit_interactive(interactive: dict[str, Any]) -> dict[str, Any]:
    """Cut the text fields of a hand-built interactive object (custom JSON) to Meta's limits."""
    result = dict(interactive)
    body = result.get("body")
    if isinstance(body, dict) and isinstance(body.get("text"), str):
        result["body"] = {**body, "text": truncate(body["text"], INTERACTIVE_BODY_MAX)}
    for key in ("header", "footer"):
        part = result.get(key)
        if isinstance(part, dict) and isinstance(part.get("text"), str):
            result[key] = {
                **part,
                "text": truncate(part["text"], HEADER_MAX if key == "header" else FOOTER_MAX),
            }
    action = result.get("action")
    if isinstance(action, dict):
        result["action"] = _fit_action(action)
    return result


def _fit_action(action: dict[str, Any]) -> dict[str, Any]:
    action = dict(action)
    if isinstance(action.get("button"), str):
        action["button"] = truncate(action["button"], LIST_BUTTON_MAX)
    if isinstance(action.get("buttons"), list):
        action["buttons"] = [_fit_button(b) for b in action["buttons"]]
    if isinstance(action.get("sections"), list):
        action["sections"] = [_fit_section(s) for s in action["sections"]]
    return action


def _fit_button(button: Any) -> Any:
    if isinstance(button, dict) and isinstance(button.get("reply"), dict):
        reply = button["reply"]
        if isinstance(reply.get("title"), str):
            return {**button, "reply": {**reply, "title": truncate(reply["title"], BUTTON_TITLE_MAX)}}
    return button


def _fit_section(section: Any) -> Any:
    if not isinstance(section, dict):
        return section
    section = dict(section)
    if isinstance(section.get("title"), str):
        section["title"] = truncate(section["title"], SECTION_TITLE_MAX)
    if isinstance(section.get("rows"), list):
        section["rows"] = [_fit_row(r) for r in section["rows"]]
    return section


def _fit_row(row: Any) -> Any:
    if not isinstance(row, dict) or not isinstance(row.get("title"), str):
        return row
    row = dict(row)
    full_title = row["title"].strip()
    row["title"] = truncate(full_title, ROW_TITLE_MAX)
    description = row.get("description") if isinstance(row.get("description"), str) else ""
    if not description and row["title"] != full_title:
        description = full_title
    if description:
        row["description"] = truncate(description, ROW_DESCRIPTION_MAX)
    return row
