"""Demand signals for purchasing: what customers asked for that the shop could not sell them.

Four kinds, from the tracker events:

* ``not_found`` — a search for a known part and car found nothing (``utter_no_results``);
* ``out_of_stock`` — the search found items, but every item shown had no stock;
* ``unknown_part`` — the customer named a part the catalog vocabulary does not know;
* ``unknown_vehicle`` — a make or model the catalog does not carry.

Requests are grouped by part and vehicle (make, model; years as a range) and ranked by the
number of distinct conversations that asked, so one insistent customer does not outrank five.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from insights.conversation import Conversation, Turn
from insights.markers import MarkerRules
from insights.periods import SHOP_TIMEZONE, local_time
from insights.tables import Table

KINDS = ("not_found", "out_of_stock", "unknown_part", "unknown_vehicle")
UNKNOWN_PART_RESPONSES = frozenset({"utter_unknown_part"})
UNKNOWN_VEHICLE_RESPONSES = frozenset({"utter_unknown_make", "utter_unknown_model"})


@dataclass(frozen=True)
class Request:
    kind: str
    part: str
    make: str
    model: str
    year: int | None
    conversation: str
    timestamp: float


@dataclass
class _Group:
    requests: int = 0
    conversations: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    last: float = 0.0


def requests_in(conversation: Conversation, rules: MarkerRules | None = None) -> list[Request]:
    """Every unmet request of one conversation."""
    rules = rules or MarkerRules()
    found = []
    for turn in conversation.customer_turns:
        found += _turn_requests(conversation.key, turn, rules)
    return found


def demand_table(
    conversations: Iterable[Conversation], kind: str | None = None, limit: int | None = None,
    tz: str = SHOP_TIMEZONE,
) -> Table:  # fmt: skip
    """Unmet requests grouped by kind, part and vehicle, most conversations first."""
    groups: dict[tuple[str, str, str, str], _Group] = {}
    for conversation in conversations:
        for request in requests_in(conversation):
            if kind and request.kind != kind:
                continue
            group = groups.setdefault((request.kind, request.part, request.make, request.model), _Group())
            group.requests += 1
            group.conversations.add(request.conversation)
            group.last = max(group.last, request.timestamp)
            if request.year:
                group.years.add(request.year)
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1].conversations), -kv[1].requests, kv[0]))
    rows = [
        [rank, k, part, make, model, _years(g.years), len(g.conversations), g.requests,
         local_time(g.last, tz).strftime("%Y-%m-%d %H:%M")]
        for rank, ((k, part, make, model), g) in enumerate(ranked[:limit] if limit else ranked, start=1)
    ]  # fmt: skip
    title = {"not_found": "Not found", "out_of_stock": "Out of stock"}.get(kind or "", "Demand signals")
    return Table(
        name=f"demand_{kind}" if kind else "demand",
        title=f"{title}: what customers asked for and could not buy",
        columns=["rank", "kind", "part", "make", "model", "years", "conversations", "requests", "last_asked"],
        rows=rows,
        chart={"kind": "bar", "label": ["part", "make", "model"], "value": "conversations", "top": 10},
        note="Ranked by distinct conversations; the shop buys from this list.",
    )


def _turn_requests(key: str, turn: Turn, rules: MarkerRules) -> list[Request]:
    slots = turn.slots_after
    part = str(slots.get("part") or slots.get("part_number") or "")
    make, model = str(slots.get("make") or ""), str(slots.get("model") or "")
    year = _year(slots.get("year"))
    out = []

    def add(kind: str, part_name: str = part, make_name: str = make, model_name: str = model) -> None:
        out.append(Request(kind, part_name, make_name, model_name, year, key, turn.timestamp))

    for reply in turn.replies:
        if reply.response in rules.nothing_found_responses:
            add("not_found")
        elif reply.response in rules.results_responses and _all_out_of_stock(turn):
            add("out_of_stock")
        elif reply.response in UNKNOWN_PART_RESPONSES:
            add("unknown_part", part_name=_said(reply.values.get("value"), turn, "part"))
        elif reply.response == "utter_unknown_make":
            add("unknown_vehicle", make_name=_said(reply.values.get("value"), turn, "make"), model_name="")
        elif reply.response == "utter_unknown_model":
            add("unknown_vehicle", model_name=_said(reply.values.get("value"), turn, "model"))
    return out


def _all_out_of_stock(turn: Turn) -> bool:
    remembered = turn.slots_set.get("search_results")
    if not isinstance(remembered, dict):
        return False
    items = remembered.get("items") or {}
    shown = [items.get(sku) for sku in remembered.get("latest") or []]
    stocks = [item.get("stock") for item in shown if isinstance(item, dict)]
    return bool(stocks) and all(isinstance(s, int | float) and s <= 0 for s in stocks)


def _said(value: object, turn: Turn, entity: str) -> str:
    """The customer's word for the unknown thing: the reply's value, else the entity text."""
    if value:
        return " ".join(str(value).split()).strip("…").lower()
    texts = [e.text for e in turn.entities if e.entity == entity]
    return (texts[0] if texts else turn.text).lower()


def _year(value: object) -> int | None:
    return int(value) if value is not None and str(value).isdigit() else None


def _years(years: set[int]) -> str:
    if not years:
        return ""
    low, high = min(years), max(years)
    return str(low) if low == high else f"{low}–{high}"
