"""Tracker events → conversations: the customer's messages, what the bot understood and did.

Rasa keeps one event stream per customer (sender id). A *conversation* here is one Rasa
session of that stream (a new one starts after ``session_expiration_time`` of silence), so
"conversations per day" and the funnel count visits, not phone numbers. Each customer message
becomes a :class:`Turn` with the NLU's reading (intent, confidence, entities), the actions and
replies that followed, and the slots after it.

Events are Rasa's JSON events as the tracker store keeps them (the ``data`` column of
SQLTrackerStore, or ``GET /conversations/<id>/tracker``'s ``events``); unknown event types
are carried along untouched, so a newer Rasa or a console that records more does not break
the review.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

SESSION_START_ACTION = "action_session_start"
LISTEN = "action_listen"
# Where a staff message (written in the console after a handoff) names its author: a ``bot``
# event with ``metadata.staff = {"name": ...}`` (or ``metadata.agent``), see docs/review.md.
STAFF_METADATA_KEYS = ("staff", "agent")
REPHRASER_METADATA_KEY = "rephraser"
# bot-event metadata that is not a value of the response ("{value}", "{vehicle}"...)
_NOT_VALUES = frozenset({"utter_action", "template", "model_id", "assistant_id", *STAFF_METADATA_KEYS})


@dataclass(frozen=True)
class Entity:
    """One entity the NLU found: its type, the customer's words and the canonical value."""

    entity: str
    value: Any
    start: int | None
    end: int | None
    text: str
    extractor: str | None = None


@dataclass
class Reply:
    """A message to the customer: from the bot (``response`` names the domain response) or staff."""

    text: str
    timestamp: float
    response: str | None = None
    staff: str | None = None
    buttons: int = 0
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def by_staff(self) -> bool:
        return self.staff is not None


@dataclass
class Turn:
    """One customer message and what followed it until the next one."""

    number: int
    event_index: int
    text: str
    timestamp: float
    intent: str | None
    confidence: float | None
    ranking: list[tuple[str, float]] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    message_id: str | None = None
    actions: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    slots_set: dict[str, Any] = field(default_factory=dict)
    slots_after: dict[str, Any] = field(default_factory=dict)
    active_loop_after: str | None = None
    reverted: bool = False
    paused: bool = False

    @property
    def rephrased_from(self) -> str | None:
        """The customer's own words when the rephraser replaced them with this text."""
        info = self.metadata.get(REPHRASER_METADATA_KEY)
        return info.get("original_text") if isinstance(info, dict) else None

    @property
    def is_payload(self) -> bool:
        """A tapped button or list row (``/choose_part{...}``), not typed text."""
        return self.text.startswith("/")


@dataclass
class Conversation:
    """One session of one customer: its events and its turns."""

    sender_id: str
    session: int
    events: list[dict[str, Any]]
    turns: list[Turn]
    opening_replies: list[Reply] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Stable id for links and files: ``<sender id>:<session number>``."""
        return f"{self.sender_id}:{self.session}"

    @cached_property
    def started_at(self) -> float:
        return _first_time(self.events)

    @cached_property
    def ended_at(self) -> float:
        times = [e["timestamp"] for e in self.events if isinstance(e.get("timestamp"), int | float)]
        return max(times) if times else 0.0

    @property
    def customer_turns(self) -> list[Turn]:
        """The turns that stand: a message the rephraser replaced is left out."""
        return [t for t in self.turns if not t.reverted]

    def replies(self) -> list[Reply]:
        return [*self.opening_replies, *(r for t in self.turns for r in t.replies)]

    def actions(self) -> list[str]:
        return [a for t in self.turns for a in t.actions]

    def turn_at(self, event_index: int) -> Turn | None:
        return next((t for t in self.turns if t.event_index == event_index), None)


def parse_event(data: str | Mapping[str, Any]) -> dict[str, Any]:
    """One stored event as a dict (the SQL store keeps it as JSON text)."""
    return dict(json.loads(data) if isinstance(data, str | bytes) else data)


def split_sessions(events: Iterable[Mapping[str, Any]]) -> list[list[dict[str, Any]]]:
    """Cut one customer's event stream where Rasa started a new session."""
    sessions: list[list[dict[str, Any]]] = [[]]
    restarted = False  # Rasa starts a session after action_restart too: same visit, not a new one
    for event in map(dict, events):
        kind = event.get("event")
        starts = kind == "action" and event.get("name") == SESSION_START_ACTION
        lone_start = kind == "session_started" and not _just_started(sessions[-1])
        if (starts or lone_start) and _has_user(sessions[-1]) and not restarted:
            sessions.append([])
        restarted = kind == "restart" or (restarted and kind != "user")
        sessions[-1].append(event)
    return [s for s in sessions if s]


def build_conversations(sender_id: str, events: Iterable[Mapping[str, Any]]) -> list[Conversation]:
    """Every session of ``sender_id`` in which the customer wrote at least once."""
    out = []
    for number, chunk in enumerate(split_sessions(events), start=1):
        conversation = build_conversation(sender_id, number, chunk)
        if conversation.turns:
            out.append(conversation)
    return out


def build_conversation(sender_id: str, session: int, events: list[dict[str, Any]]) -> Conversation:
    """Walk one session's events in order, keeping the slots and the pause state as Rasa does."""
    builder = _Builder()
    for index, event in enumerate(events):
        builder.apply(index, event)
    builder.close_turn()
    return Conversation(sender_id, session, events, builder.turns, builder.opening_replies)


def staff_name(metadata: Mapping[str, Any] | None) -> str | None:
    """The agent's name when a ``bot`` event was written by staff, else None."""
    for key in STAFF_METADATA_KEYS:
        value = (metadata or {}).get(key)
        if isinstance(value, dict):
            return str(value.get("name") or value.get("username") or "staff")
        if isinstance(value, str) and value:
            return value
    return None


class _Builder:
    """State while walking a session: current slots, loop, pause, the turn being filled."""

    def __init__(self) -> None:
        self.turns: list[Turn] = []
        self.opening_replies: list[Reply] = []
        self.slots: dict[str, Any] = {}
        self.active_loop: str | None = None
        self.paused = False
        self.current: Turn | None = None

    def apply(self, index: int, event: dict[str, Any]) -> None:
        kind = event.get("event")
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(index, event)

    def close_turn(self) -> None:
        if self.current is not None:
            self.current.slots_after = dict(self.slots)
            self.current.active_loop_after = self.active_loop

    def _on_user(self, index: int, event: dict[str, Any]) -> None:
        self.close_turn()
        parse = event.get("parse_data") or {}
        intent = parse.get("intent") or {}
        text = event.get("text") or parse.get("text") or ""
        self.current = Turn(
            number=len(self.turns) + 1,
            event_index=index,
            text=text,
            timestamp=float(event.get("timestamp") or 0.0),
            intent=intent.get("name"),
            confidence=_float(intent.get("confidence")),
            ranking=[
                (r.get("name"), _float(r.get("confidence")) or 0.0) for r in parse.get("intent_ranking") or []
            ],
            entities=[_entity(e, text) for e in parse.get("entities") or []],
            metadata=dict(event.get("metadata") or parse.get("metadata") or {}),
            message_id=event.get("message_id"),
            paused=self.paused,
        )
        self.turns.append(self.current)

    def _on_bot(self, index: int, event: dict[str, Any]) -> None:
        metadata = event.get("metadata") or {}
        data = event.get("data") or {}
        reply = Reply(
            text=event.get("text") or "",
            timestamp=float(event.get("timestamp") or 0.0),
            response=metadata.get("utter_action"),
            staff=staff_name(metadata),
            buttons=len(data.get("buttons") or []),
            values={k: v for k, v in metadata.items() if k not in _NOT_VALUES},
        )
        (self.current.replies if self.current else self.opening_replies).append(reply)

    def _on_action(self, index: int, event: dict[str, Any]) -> None:
        name = event.get("name")
        if self.current is not None and name and name not in (LISTEN, SESSION_START_ACTION):
            self.current.actions.append(name)

    def _on_slot(self, index: int, event: dict[str, Any]) -> None:
        self.slots[event.get("name")] = event.get("value")
        if self.current is not None:
            self.current.slots_set[event.get("name")] = event.get("value")

    def _on_active_loop(self, index: int, event: dict[str, Any]) -> None:
        self.active_loop = event.get("name")

    def _on_restart(self, index: int, event: dict[str, Any]) -> None:
        self.slots.clear()
        self.active_loop = None
        self.paused = False

    _on_reset_slots = _on_restart

    def _on_pause(self, index: int, event: dict[str, Any]) -> None:
        self.paused = True

    def _on_resume(self, index: int, event: dict[str, Any]) -> None:
        self.paused = False

    def _on_rewind(self, index: int, event: dict[str, Any]) -> None:
        """``UserUtteranceReverted``: the latest message no longer counts (the rephraser replaced it)."""
        if self.current is not None:
            self.close_turn()
            self.current.reverted = True


def _entity(raw: Mapping[str, Any], text: str) -> Entity:
    start, end = raw.get("start"), raw.get("end")
    said = text[start:end] if isinstance(start, int) and isinstance(end, int) else str(raw.get("value"))
    return Entity(
        entity=str(raw.get("entity")),
        value=raw.get("value"),
        start=start,
        end=end,
        text=said,
        extractor=raw.get("extractor"),
    )


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _first_time(events: list[dict[str, Any]]) -> float:
    times = [e["timestamp"] for e in events if isinstance(e.get("timestamp"), int | float)]
    return min(times) if times else 0.0


def _has_user(events: list[dict[str, Any]]) -> bool:
    return any(e.get("event") == "user" for e in events)


def _just_started(events: list[dict[str, Any]]) -> bool:
    return (
        bool(events)
        and events[-1].get("event") == "action"
        and events[-1].get("name") == SESSION_START_ACTION
    )
