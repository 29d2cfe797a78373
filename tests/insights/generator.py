"""Generated conversations whose true funnel, demand, language and timing figures are known.

Each conversation follows one scripted path and stops at a chosen funnel stage; the generator
counts what it generated (``Truth``) while it writes the events, in the same shapes the real
assistant records (see tests/insights/recorded/: session start, ``user`` with parse data,
``part_form`` and its slots, ``utter_ask_*``, ``action_search_parts`` with ``search_results``,
``utter_choice_confirmed``, ``action_handoff`` + ``pause``, staff messages). The analytics must
find the generator's numbers from the events alone.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from insights.funnel import STAGES, LeadRecord

START = 1_796_000_000.0  # a Wednesday, 2026-11-30 (UTC)
DAY = 86_400.0
PARTS = ["Brake Pads", "Oil Filter", "Radiator", "Alternator", "Shock Absorber", "Battery"]
CARS = [
    ("Toyota", "Land Cruiser"),
    ("Nissan", "Patrol"),
    ("Toyota", "Camry"),
    ("Lexus", "LX"),
    ("Kia", "Sportage"),
]
# per language: full request, request without the car, the car, unclear message, ask for a person
TEXTS = {
    "en": (
        "need {part} for {make} {model} {year}",
        "need {part}",
        "{make} {model} {year}",
        "eeeh the thing squeaks",
        "i want to talk to a person",
    ),
    "ar": (
        "ابي {part} {model} {year}",
        "ابي قطعة",
        "سيارتي {model} موديل {year}",
        "السيارة تصوت",
        "ابي اكلم موظف",
    ),
    "arabizi": (
        "abi {part} {model} {year} 3ndk?",
        "abi qit3a",
        "{model} {year} ya3ni",
        "el sayara t9awet",
        "abi akalem 7ad",
    ),
}


@dataclass
class Truth:
    """What was generated: the answers the analytics must find."""

    stages: Counter = field(default_factory=Counter)
    not_found: Counter = field(default_factory=Counter)  # (part, make, model) -> conversations
    out_of_stock: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    handoffs: int = 0
    fallback_messages: int = 0
    typed_messages: int = 0
    bot_reply_s: list[float] = field(default_factory=list)
    staff_reply_s: list[float] = field(default_factory=list)
    conversations: int = 0


@dataclass
class Generated:
    rows: list[dict[str, Any]]
    leads: list[LeadRecord]
    truth: Truth


class _Writer:
    """Writes one customer's events with increasing timestamps."""

    def __init__(self, sender: str, start: float, rng: random.Random) -> None:
        self.sender, self.t, self.rng = sender, start, rng
        self.events: list[dict[str, Any]] = []

    def add(self, event: dict[str, Any], gap: float = 0.01) -> float:
        self.t += gap
        event["timestamp"] = self.t
        self.events.append(event)
        return self.t

    def session(self, language: str) -> None:
        self.add({"event": "action", "name": "action_session_start"})
        self.add({"event": "session_started"})
        self.add({"event": "slot", "name": "language", "value": "ar" if language == "ar" else "en"})
        self.add({"event": "action", "name": "action_listen"})

    def user(self, text: str, intent: str, confidence: float = 0.97, entities: list | None = None) -> float:
        guess = {"name": intent, "confidence": confidence}
        parse = {"text": text, "intent": guess, "entities": entities or [], "intent_ranking": [guess]}
        return self.add({"event": "user", "text": text, "parse_data": parse, "input_channel": "whatsapp",
                         "message_id": f"wamid.{self.rng.getrandbits(48):x}", "metadata": {}},
                        gap=self.rng.uniform(20, 120))  # fmt: skip

    def action(self, name: str) -> None:
        self.add({"event": "action", "name": name, "policy": "RulePolicy", "confidence": 1.0})

    def slot(self, name: str, value: Any) -> None:
        self.add({"event": "slot", "name": name, "value": value})

    def bot(self, response: str, text: str = "…", gap: float | None = None, **metadata: Any) -> float:
        meta = {"utter_action": response, **metadata} if response else metadata
        return self.add({"event": "bot", "text": text, "data": {}, "metadata": meta},
                        gap=self.rng.uniform(0.1, 2.0) if gap is None else gap)  # fmt: skip

    def listen(self) -> None:
        self.action("action_listen")


def generate(n: int = 240, seed: int = 16) -> Generated:
    """``n`` conversations over 14 days; deterministic for a seed."""
    rng = random.Random(seed)
    truth, rows, leads = Truth(), [], []
    for i in range(n):
        sender = f"97155{i:07d}"
        start = START + rng.uniform(0, 14 * DAY)
        writer = _Writer(sender, start, rng)
        language = rng.choice(["en", "en", "ar", "arabizi"])
        _conversation(writer, language, rng, truth, leads)
        truth.conversations += 1
        truth.languages[language] += 1
        rows += [_row(sender, e) for e in writer.events]
    return Generated(rows, leads, truth)


def _conversation(
    w: _Writer, language: str, rng: random.Random, truth: Truth, leads: list[LeadRecord]
) -> None:
    w.session(language)
    part, (make, model), year = rng.choice(PARTS), rng.choice(CARS), rng.randint(2010, 2022)
    target = rng.choices(STAGES, weights=[10, 15, 15, 20, 10, 0, 12])[
        0
    ]  # "lead" is reached with "won" or not
    if rng.random() < 0.1:  # an unclear first message
        sent = w.user(TEXTS[language][3], "nlu_fallback", 0.31)
        truth.typed_messages += 1
        truth.fallback_messages += 1
        w.action("action_rephrase_fallback")
        truth.bot_reply_s.append(w.bot("utter_ask_rephrase") - sent)
        w.listen()
    reached = ["conversations"]
    if target == "conversations":
        sent = w.user("hi" if language == "en" else "مرحبا" if language == "ar" else "salam 3likum", "greet")
        truth.bot_reply_s.append(w.bot("utter_greet") - sent)
        truth.typed_messages += 1
        w.listen()
    else:
        full = TEXTS[language][0].format(part=part.lower(), make=make.lower(), model=model.lower(), year=year)
        asks_car = target == "part_asked" or rng.random() < 0.5
        text = TEXTS[language][1] if asks_car else full
        sent = w.user(text, "request_part")
        truth.typed_messages += 1
        w.action("part_form")
        w.add({"event": "active_loop", "name": "part_form"})
        w.slot("part", part)
        reached.append("part_asked")
        if asks_car:
            w.slot("requested_slot", "make")
            truth.bot_reply_s.append(w.bot("utter_ask_make") - sent)
            w.listen()
            if target == "part_asked":
                if rng.random() < 0.3:
                    _handoff(w, rng, truth, language)
                _record(truth, reached)
                return
            sent = w.user(
                TEXTS[language][2].format(make=make.lower(), model=model.lower(), year=year), "inform"
            )
            truth.typed_messages += 1
            w.action("part_form")
        for name, value in (("make", make), ("model", model), ("year", str(year))):
            w.slot(name, value)
        w.slot("requested_slot", None)
        w.add({"event": "active_loop", "name": None})
        reached.append("vehicle_complete")
        w.action("action_search_parts")
        outcome = "results" if target != "vehicle_complete" else rng.choice(["nothing", "out_of_stock"])
        if outcome == "nothing":
            truth.bot_reply_s.append(w.bot("utter_no_results", part_label=part) - sent)
            truth.not_found[(part, make, model)] += 1
            w.slot("search_results", {"latest": [], "items": {}})
        else:
            stock = 0 if outcome == "out_of_stock" else rng.randint(1, 9)
            items = {f"SKU-{k}": {"sku": f"SKU-{k}", "stock": stock, "price_aed": "100.00"} for k in range(3)}
            truth.bot_reply_s.append(w.bot("utter_results", part_label=part) - sent)
            w.slot("search_results", {"latest": list(items), "items": items})
            if outcome == "out_of_stock":
                truth.out_of_stock[(part, make, model)] += 1
            reached.append("results_shown")
        w.listen()
        if target in ("item_chosen", "won"):
            sent = w.user('/choose_part{"sku":"SKU-1"}', "choose_part", 1.0)
            w.action("action_choose_part")
            lead_time = w.t + 0.05
            truth.bot_reply_s.append(w.bot("utter_choice_confirmed") - sent)
            w.bot("utter_anything_else")
            w.listen()
            reached.append("item_chosen")
            status = "won" if target == "won" else rng.choice(["new", "quoted", "lost"])
            if target == "won" or rng.random() < 0.8:  # some chosen items' leads were lost in a spool
                leads.append(LeadRecord(w.sender, "quote", status, "SKU-1", lead_time))
                reached.append("lead")
                if status == "won":
                    reached.append("won")
        elif target == "results_shown" and rng.random() < 0.4:
            _handoff(w, rng, truth, language)
        if outcome == "nothing":
            leads.append(LeadRecord(w.sender, "not_found", "new", None, w.t))
    _record(truth, reached)


def _handoff(w: _Writer, rng: random.Random, truth: Truth, language: str) -> None:
    sent = w.user(TEXTS[language][4], "human_handoff")
    truth.typed_messages += 1
    w.action("action_deactivate_loop")
    w.add({"event": "active_loop", "name": None})
    w.action("action_handoff")
    handed = w.bot("utter_handoff")
    truth.bot_reply_s.append(handed - sent)
    w.add({"event": "pause"})
    truth.handoffs += 1
    if rng.random() < 0.75:
        staff_at = w.bot(
            "", text="Hi, Sara here. Which year?", gap=rng.uniform(30, 900), staff={"name": "Sara"}
        )
        truth.staff_reply_s.append(staff_at - handed)


def _record(truth: Truth, reached: list[str]) -> None:
    for stage in reached:
        truth.stages[stage] += 1


def _row(sender: str, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "type_name": event["event"],
        "timestamp": event["timestamp"],
        "intent_name": (event.get("parse_data") or {}).get("intent", {}).get("name"),
        "action_name": event.get("name") if event["event"] == "action" else None,
        "data": json.dumps(event, ensure_ascii=False),
    }
