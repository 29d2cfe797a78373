"""Markers: what makes a conversation worth a designer's look, computed from its events.

Each marker is a small function over a :class:`~insights.conversation.Conversation` that
returns the turns it fires on (with a short reason). The names of the actions, responses and
slots they look for are the assistant's own (domain.yml, actions/); :class:`MarkerRules` holds
them in one place, so a renamed response is one edit here.

=================  ==================================================================
``nlu_fallback``   the NLU was unsure (intent ``nlu_fallback``, the fallback action ran)
``low_confidence`` the predicted intent's confidence is below the threshold
``asked_twice``    the form asked the same question in two turns running
``slot_corrected`` the customer changed a part/vehicle slot that was already filled
``restart``        the customer started over
``handoff``        the bot handed the customer to a person
``nothing_found``  a search found nothing
``abandoned``      the customer asked for a part and left before any results
``rephrased``      the GPT rephraser replaced the customer's message
=================  ==================================================================
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from insights.conversation import Conversation, Turn
from insights.language import conversation_language

MARKERS = (
    "nlu_fallback",
    "low_confidence",
    "asked_twice",
    "slot_corrected",
    "restart",
    "handoff",
    "nothing_found",
    "abandoned",
    "rephrased",
)
LABELS = {
    "nlu_fallback": "NLU fallback",
    "low_confidence": "Low confidence",
    "asked_twice": "Question asked twice",
    "slot_corrected": "Slot corrected",
    "restart": "Restart",
    "handoff": "Handoff",
    "nothing_found": "Nothing found",
    "abandoned": "Abandoned before results",
    "rephrased": "Rephraser used",
}


@dataclass(frozen=True)
class MarkerRules:
    """Thresholds and the assistant's names the markers look for."""

    confidence_threshold: float = 0.6
    abandoned_after_s: float = 30 * 60
    fallback_intent: str = "nlu_fallback"
    fallback_actions: frozenset[str] = frozenset({"action_rephrase_fallback", "action_default_fallback"})
    restart_intent: str = "restart"
    restart_actions: frozenset[str] = frozenset({"action_restart"})
    handoff_actions: frozenset[str] = frozenset({"action_handoff"})
    request_intents: frozenset[str] = frozenset({"request_part"})
    form_name: str = "part_form"
    ask_prefix: str = "utter_ask_"
    not_asking: frozenset[str] = frozenset({"utter_ask_rephrase"})
    results_responses: frozenset[str] = frozenset(
        {
            "utter_results",
            "utter_results_for_number",
            "utter_results_header",
            "utter_results_header_for_number",
        }
    )
    nothing_found_responses: frozenset[str] = frozenset({"utter_no_results", "utter_no_results_for_number"})
    part_slots: tuple[str, ...] = ("part", "part_number")
    vehicle_slots: tuple[str, ...] = ("make", "model", "year", "vin", "frame_number")


@dataclass(frozen=True)
class Flag:
    """A marker on a conversation: which turn (None: the whole conversation) and why."""

    marker: str
    turn: int | None
    reason: str


@dataclass
class ReviewItem:
    """A conversation with its markers and language, as the review queue lists it."""

    conversation: Conversation
    flags: list[Flag] = field(default_factory=list)
    language: str = "en"

    @property
    def markers(self) -> list[str]:
        return sorted({f.marker for f in self.flags}, key=MARKERS.index)

    def flags_on(self, turn: int) -> list[Flag]:
        return [f for f in self.flags if f.turn == turn]


def review(
    conversation: Conversation, rules: MarkerRules | None = None, now: float | None = None
) -> ReviewItem:
    """Every marker of one conversation."""
    rules = rules or MarkerRules()
    now = time.time() if now is None else now
    flags = [flag for check in CHECKS.values() for flag in check(conversation, rules, now)]
    flags.sort(key=lambda f: (f.turn or 0, MARKERS.index(f.marker)))
    texts = [t.text for t in conversation.customer_turns if not t.is_payload]
    return ReviewItem(conversation, flags, conversation_language(texts))


def review_all(conversations: Iterable[Conversation], rules: MarkerRules | None = None,
               now: float | None = None) -> list[ReviewItem]:  # fmt: skip
    return [review(c, rules, now) for c in conversations]


def marker_counts(items: Iterable[ReviewItem]) -> dict[str, int]:
    """How many conversations carry each marker (every marker listed, zeros included)."""
    counts = Counter(m for item in items for m in item.markers)
    return {marker: counts.get(marker, 0) for marker in MARKERS}


def filter_items(
    items: Iterable[ReviewItem],
    marker: str | None = None,
    language: str | None = None,
    flagged_only: bool = True,
) -> list[ReviewItem]:
    out = []
    for item in items:
        if flagged_only and not item.flags:
            continue
        if marker and marker not in item.markers:
            continue
        if language and item.language != language:
            continue
        out.append(item)
    return out


# --------------------------------------------------------------------------- the markers
def _nlu_fallback(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    flags = []
    for turn in c.turns:
        if turn.intent == rules.fallback_intent or rules.fallback_actions & set(turn.actions):
            flags.append(Flag("nlu_fallback", turn.number, f"not understood: {_short(turn.text)}"))
    return flags


def _low_confidence(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    return [
        Flag("low_confidence", t.number, f"{t.intent} at {t.confidence:.2f}")
        for t in c.turns
        if not t.is_payload and t.confidence is not None and t.confidence < rules.confidence_threshold
    ]


def _asked_twice(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    flags, previous = [], None
    for turn in c.turns:
        asked = [r.response for r in turn.replies if _is_question(r.response, rules)]
        current = asked[-1] if asked else None
        if current and current == previous:
            flags.append(Flag("asked_twice", turn.number, f"{current} again after {_short(turn.text)!r}"))
        previous = current
    return flags


def _slot_corrected(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    """A part or vehicle slot changed to another value; a new part after results is a new request."""
    flags: list[Flag] = []
    known: dict[str, object] = {}
    shown = False
    for turn in c.turns:
        if rules.restart_actions & set(turn.actions) or turn.intent == rules.restart_intent:
            known, shown = {}, False
            continue
        for slot in (*rules.part_slots, *rules.vehicle_slots):
            value = turn.slots_after.get(slot)
            before = known.get(slot)
            if value in (None, "") or turn.reverted:
                continue
            new_request = slot in rules.part_slots and shown
            if before is not None and str(before) != str(value) and not new_request:
                flags.append(Flag("slot_corrected", turn.number, f"{slot}: {before} → {value}"))
            known[slot] = value
        if any(r.response in rules.results_responses | rules.nothing_found_responses for r in turn.replies):
            shown = True
    return flags


def _restart(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    return [
        Flag("restart", t.number, "started over")
        for t in c.turns
        if t.intent == rules.restart_intent or rules.restart_actions & set(t.actions)
    ]


def _handoff(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    flags = []
    for turn in c.turns:
        if rules.handoff_actions & set(turn.actions):
            flags.append(Flag("handoff", turn.number, f"handed to staff after {_short(turn.text)!r}"))
    return flags


def _nothing_found(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    flags = []
    for turn in c.turns:
        if any(r.response in rules.nothing_found_responses for r in turn.replies):
            wanted = " ".join(str(turn.slots_after.get(s)) for s in ("part", "make", "model", "year")
                              if turn.slots_after.get(s))  # fmt: skip
            flags.append(Flag("nothing_found", turn.number, f"no results for {wanted or _short(turn.text)}"))
    return flags


def _abandoned(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    """Asked for a part, got no results, no person took over, and silent for a while."""
    asked = next(
        (t for t in c.turns if t.intent in rules.request_intents or rules.form_name in t.actions), None
    )
    if asked is None or now - c.ended_at < rules.abandoned_after_s:
        return []
    replies = {r.response for r in c.replies()}
    if replies & (rules.results_responses | rules.nothing_found_responses):
        return []
    if any(rules.handoff_actions & set(t.actions) for t in c.turns):
        return []
    last = c.turns[-1]
    waiting = last.slots_after.get("requested_slot")
    reason = f"left while asked for {waiting}" if waiting else "left before any results"
    return [Flag("abandoned", last.number, reason)]


def _rephrased(c: Conversation, rules: MarkerRules, now: float) -> list[Flag]:
    return [
        Flag("rephrased", t.number, f"{_short(t.rephrased_from or '')!r} → {_short(t.text)!r}")
        for t in c.turns
        if t.rephrased_from
    ]


CHECKS: dict[str, Callable[[Conversation, MarkerRules, float], list[Flag]]] = {
    "nlu_fallback": _nlu_fallback,
    "low_confidence": _low_confidence,
    "asked_twice": _asked_twice,
    "slot_corrected": _slot_corrected,
    "restart": _restart,
    "handoff": _handoff,
    "nothing_found": _nothing_found,
    "abandoned": _abandoned,
    "rephrased": _rephrased,
}


def _is_question(response: str | None, rules: MarkerRules) -> bool:
    return bool(response) and response.startswith(rules.ask_prefix) and response not in rules.not_asking


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def turn_of(item: ReviewItem, number: int) -> Turn | None:
    return next((t for t in item.conversation.turns if t.number == number), None)
