"""Pure decisions about the parts form's state: was it running, which slots went stale.

No Rasa imports: callers pass the tracker's events (plain dicts) and slot values.
"""

from __future__ import annotations

from typing import Any

from conversation.understanding import (
    FORM_SLOTS,
    PHOTO_INTENTS,
    MessageFacts,
    Reading,
    read_vehicle_id,
)


def form_was_active(events: list[dict]) -> bool:
    """Whether a form was already running when the latest message came in.

    The tracker's ``active_loop`` cannot tell: Rasa activates the form on a copy of the tracker before
    it calls this validation, so the events before the latest user message decide.
    """
    seen_message = False
    for event in reversed(events or []):
        kind = event.get("event")
        if not seen_message:
            seen_message = kind == "user"
            continue
        if kind == "active_loop":
            return bool(event.get("name"))
        if kind in ("restart", "session_started"):
            return False
    return False


def stale_chassis(previous: dict[str, Any], now: dict[str, Any]) -> set[str]:
    """Slots of the previous car once a different chassis number or another car was given.

    A new chassis number forgets the model and year it does not state itself; a new make or
    model typed without a number forgets the old chassis number.
    """
    stale: set[str] = set()
    for key in ("vin", "frame_number"):
        if previous.get(key) and now.get(key) and previous[key] != now[key]:
            stale |= {s for s in ("model", "year") if now.get(s) == previous.get(s)}
    number_unchanged = all(previous.get(k) == now.get(k) for k in ("vin", "frame_number"))
    car_changed = any(previous.get(s) and now.get(s) and previous[s] != now[s] for s in ("make", "model"))
    if number_unchanged and car_changed:
        stale |= {"vin", "frame_number"}
    return stale


def reading_from_entities(facts: MessageFacts) -> Reading:
    """Without the catalog (database down): take NLU entities as they are, and chassis numbers."""
    reading = Reading()
    if facts.intent in ("request_part", "inform") or facts.is_payload:
        if facts.intent not in PHOTO_INTENTS:
            read_vehicle_id(MessageFacts(facts.entity("vin") or facts.text, "inform"), reading)
        for slot in FORM_SLOTS:
            value = facts.entity(slot)
            if value:
                reading.candidates[slot] = value
        reading.part_number = facts.entity("part_number")
    return reading
