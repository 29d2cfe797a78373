"""A conversation as a Rasa test story ("save as test story"), so a fixed bug stays fixed.

The story is written from the events Rasa applied (a message the rephraser replaced counts as
the rephrased one, as it did for the dialogue), in the style of tests/stories/: every customer
message with its intent (the designer's correction when there is one) and its entities marked
in the text, every action, the form's ``active_loop`` changes and its ``slot_was_set`` steps
(``rasa test`` does not run actions, so what the form did is spelled out). The story stops
where the bot handed the customer to a person: what follows is staff's, not the bot's.

It records what the bot did. When the review found that an action was wrong, edit that
``action:`` line to what the bot should have done: the story then fails
(``rasa test core --fail-on-prediction-errors``) until the assistant is fixed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from insights.annotations import AnnotationError, Span, annotate
from insights.conversation import LISTEN, SESSION_START_ACTION, Conversation
from insights.corrections import Correction, write_text_atomically
from shopkernel.masking import mask_phone

FORM_SLOTS = ("requested_slot", "part", "make", "model", "year", "part_number", "vin", "frame_number")
SKIPPED_ACTIONS = frozenset({LISTEN, SESSION_START_ACTION})
HEADER = (
    "# Test stories saved from real conversations in the conversation review (docs/review.md).\n"
    "# Each records what the assistant did, with the designer's corrections of what it understood;\n"
    "# edit an `action:` line to what the bot should have done to turn a bug into a failing test.\n"
)


def applied_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as Rasa applied them: a rewound message and an undone action are gone."""
    out: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "rewind":
            while out and out[-1].get("event") != "user":
                out.pop()
            if out:
                out.pop()
        elif kind == "undo":
            while out and out[-1].get("event") != "action":
                out.pop()
            if out:
                out.pop()
        else:
            out.append(event)
    return out


def story_steps(
    conversation: Conversation, corrections: Mapping[int, Correction] | None = None
) -> list[dict]:
    """The story's steps, as plain data (``{"user": ..., "intent": ...}``, ``{"action": ...}``...)."""
    corrections = corrections or {}
    steps: list[dict] = []
    loop_active = False
    started = False
    indexed = {id(e): i for i, e in enumerate(conversation.events)}
    for event in applied_events(conversation.events):
        kind = event.get("event")
        if kind == "user":
            started = True
            steps.append(_user_step(event, corrections.get(indexed[id(event)])))
        elif not started:
            continue
        elif kind == "action" and event.get("name") not in SKIPPED_ACTIONS:
            steps.append({"action": event["name"]})
        elif kind == "active_loop":
            loop_active = bool(event.get("name"))
            steps.append({"active_loop": event.get("name")})
        elif kind == "slot" and event.get("name") in FORM_SLOTS and steps and "user" not in steps[-1]:
            _add_slot(steps, event["name"], event.get("value"))
        elif kind == "restart":
            if loop_active:  # rasa test does not run action_restart: spell out the closed form
                steps.append({"active_loop": None})
            loop_active = False
        elif kind == "pause":
            break
    return steps


def story_yaml(
    conversation: Conversation,
    corrections: Mapping[int, Correction] | None = None,
    title: str | None = None,
) -> str:
    """A whole test-story file (``version``, ``stories``) for one conversation."""
    title = title or story_title(conversation)
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "stories:", f"- story: {_quote(title)}", "  steps:"]
    for step in story_steps(conversation, corrections):
        lines += _render_step(step)
    return "\n".join(lines) + "\n"


def story_title(conversation: Conversation, note: str = "") -> str:
    who = mask_phone(conversation.sender_id)
    name = f"reviewed {who} {_digest(conversation)} session {conversation.session}"
    return name + (f": {note}" if note else "")


def story_path(conversation: Conversation, stories_dir: Path) -> Path:
    """``tests/stories/reviewed/test_<masked id>_<session>.yml``: one file per saved conversation."""
    safe = re.sub(r"[^A-Za-z0-9]+", "_", mask_phone(conversation.sender_id).replace("*", "x"))
    return stories_dir / "reviewed" / f"test_{safe}_{_digest(conversation)}_s{conversation.session}.yml"


def write_story(
    conversation: Conversation,
    stories_dir: Path,
    corrections: Mapping[int, Correction] | None = None,
    note: str = "",
) -> Path:
    """Write (or rewrite) the story file of this conversation; returns its path."""
    path = story_path(conversation, stories_dir)
    write_text_atomically(path, story_yaml(conversation, corrections, story_title(conversation, note)))
    return path


def corrections_by_event(corrections: list[Correction], conversation: Conversation) -> dict[int, Correction]:
    """The latest correction of each message of this conversation."""
    out: dict[int, Correction] = {}
    for correction in sorted(corrections, key=lambda c: c.saved_at):
        if correction.conversation == conversation.key and correction.event_index is not None:
            out[correction.event_index] = correction
    return out


# --------------------------------------------------------------------------- rendering
def _user_step(event: dict[str, Any], correction: Correction | None) -> dict:
    text = " ".join((event.get("text") or "").split())
    if correction is not None:
        return {"user": _annotated(text, correction.spans), "intent": correction.intent}
    parse = event.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    if not text:  # a photo or voice note without text: the intent alone
        return {"user": "", "intent": intent}
    if text.startswith("/"):  # a tapped button: the payload says it all
        return {"user": text, "intent": intent}
    return {"user": _annotated(text, _entity_spans(event, text)), "intent": intent}


def _entity_spans(event: dict[str, Any], text: str) -> list[Span]:
    """The NLU's entities as spans, overlaps dropped (two extractors may find the same year)."""
    spans: list[Span] = []
    for raw in (event.get("parse_data") or {}).get("entities") or []:
        start, end = raw.get("start"), raw.get("end")
        if not isinstance(start, int) or not isinstance(end, int) or end > len(text):
            continue
        if any(start < s.end and s.start < end for s in spans):
            continue
        spans.append(Span(start, end, str(raw.get("entity"))))
    return spans


def _annotated(text: str, spans: list[Span]) -> str:
    text = text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")")
    try:
        return annotate(text, spans)
    except AnnotationError:
        return text.strip()


def _add_slot(steps: list[dict], name: str, value: Any) -> None:
    if steps and "slot_was_set" in steps[-1]:
        steps[-1]["slot_was_set"].append({name: value})
    else:
        steps.append({"slot_was_set": [{name: value}]})


def _render_step(step: dict) -> list[str]:
    if "user" in step and not step["user"]:
        return [f"  - intent: {step['intent']}"]
    if "user" in step:
        return ["  - user: |", f"      {step['user']}", f"    intent: {step['intent']}"]
    if "action" in step:
        return [f"  - action: {step['action']}"]
    if "active_loop" in step:
        return [f"  - active_loop: {step['active_loop'] or 'null'}"]
    lines = ["  - slot_was_set:"]
    for item in step["slot_was_set"]:
        [(name, value)] = item.items()
        lines.append(f"    - {name}: {_scalar(value)}")
    return lines


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    return json.dumps(str(value), ensure_ascii=False)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _digest(conversation: Conversation) -> str:
    """Two customers can share a masked id; this hash of id and start time (not guessable) cannot."""
    return hashlib.sha256(f"{conversation.sender_id}|{conversation.started_at}".encode()).hexdigest()[:8]
