"""The sales funnel: conversations → part asked → vehicle complete → results shown → item
chosen → lead → won.

The first five stages come from the tracker events; "lead" and "won" from the leads table of
the catalog database (a quote lead for an item, written when the customer picks one, and the
status staff move it to). A conversation counts at a stage only if it also passed every stage
before, so each figure is at most the one before it and the drop between two stages is real.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Engine

from insights.conversation import Conversation
from insights.markers import MarkerRules
from insights.periods import SHOP_TIMEZONE, period_of
from insights.tables import Table, ratio

STAGES = ("conversations", "part_asked", "vehicle_complete", "results_shown", "item_chosen", "lead", "won")
STAGE_LABELS = {
    "conversations": "Conversations",
    "part_asked": "Part asked",
    "vehicle_complete": "Vehicle complete",
    "results_shown": "Results shown",
    "item_chosen": "Item chosen",
    "lead": "Lead",
    "won": "Won",
}
CHOSEN_RESPONSES = frozenset({"utter_choice_confirmed"})
LEAD_GRACE_S = 15 * 60  # a lead written just after the conversation's last event still belongs to it


@dataclass(frozen=True)
class LeadRecord:
    """What the funnel needs of a lead (catalog.schema.Lead)."""

    conversation_id: str
    kind: str
    status: str
    sku: str | None
    created_at: float


def load_leads(engine: Engine, since: float | None = None) -> list[LeadRecord]:
    """Quote and not-found leads of the catalog database (read only)."""
    from catalog.schema import Lead

    query = select(Lead.conversation_id, Lead.kind, Lead.status, Lead.sku, Lead.created_at)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    records = [LeadRecord(r[0], r[1], r[2], r[3], _epoch(r[4])) for r in rows]
    return [r for r in records if since is None or r.created_at >= since - LEAD_GRACE_S]


def stages_reached(
    conversation: Conversation, leads: Iterable[LeadRecord] = (), rules: MarkerRules | None = None
) -> list[str]:
    """The funnel stages this conversation passed, in order, stopping at the first it missed."""
    rules = rules or MarkerRules()
    turns = conversation.customer_turns
    responses = {r.response for r in conversation.replies()}
    mine = [
        lead for lead in leads
        if lead.conversation_id == conversation.sender_id and lead.kind == "quote" and lead.sku
        and conversation.started_at - 1 <= lead.created_at <= conversation.ended_at + LEAD_GRACE_S
    ]  # fmt: skip
    checks = {
        "conversations": True,
        "part_asked": any(
            t.intent in rules.request_intents or any(t.slots_after.get(s) for s in rules.part_slots)
            for t in turns
        ),
        "vehicle_complete": any(_vehicle_complete(t.slots_after) for t in turns),
        "results_shown": bool(responses & rules.results_responses),
        "item_chosen": bool(responses & CHOSEN_RESPONSES),
        "lead": bool(mine),
        "won": any(lead.status == "won" for lead in mine),
    }
    reached = []
    for stage in STAGES:
        if not checks[stage]:
            break
        reached.append(stage)
    return reached


def funnel_table(
    conversations: Iterable[Conversation],
    leads: Iterable[LeadRecord] = (),
    grain: str = "all",
    tz: str = SHOP_TIMEZONE,
) -> Table:
    """One row per period: how many conversations reached each stage, and the overall conversion."""
    leads = list(leads)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for conversation in conversations:
        period = period_of(conversation.started_at, grain, tz)
        for stage in stages_reached(conversation, leads):
            counts[period][stage] += 1
    rows = [
        [period, *(c[s] for s in STAGES), ratio(c["won"], c["conversations"])]
        for period, c in sorted(counts.items())
    ]
    return Table(
        name="funnel",
        title="Sales funnel",
        columns=["period", *STAGES, "won_rate"],
        rows=rows,
        chart={"kind": "funnel", "stages": list(STAGES), "labels": STAGE_LABELS},
        note="A conversation counts at a stage only if it passed every stage before it.",
    )


def _vehicle_complete(slots: dict) -> bool:
    return bool(slots.get("part_number")) or all(slots.get(s) for s in ("make", "model", "year"))


def _epoch(value) -> float:  # noqa: ANN001 - datetime from either database
    if value is None:
        return 0.0
    if value.tzinfo is None:  # SQLite returns naive UTC
        from datetime import timezone

        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()
