"""The shop's conversation figures: languages, fallback and handoff rates, reply times, busy hours."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable

from insights.conversation import Conversation
from insights.language import LANGUAGES, conversation_language
from insights.markers import MarkerRules
from insights.periods import SHOP_TIMEZONE, local_time, period_of
from insights.tables import Table, ratio

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def language_table(conversations: Iterable[Conversation]) -> Table:
    """Conversations per language (English, Arabic, Arabizi) with their share."""
    counts = Counter(
        conversation_language(t.text for t in c.customer_turns if not t.is_payload) for c in conversations
    )
    total = sum(counts.values())
    rows = [[lang, counts.get(lang, 0), ratio(counts.get(lang, 0), total)] for lang in LANGUAGES]
    return Table("languages", "Languages", ["language", "conversations", "share"], rows,
                 chart={"kind": "bar", "label": ["language"], "value": "conversations"})  # fmt: skip


def bot_reply_seconds(conversation: Conversation) -> list[float]:
    """For each customer message the bot answered: seconds until its first reply."""
    out = []
    for turn in conversation.turns:
        if turn.paused:
            continue
        first = next((r for r in turn.replies if not r.by_staff), None)
        if first is not None:
            out.append(max(0.0, first.timestamp - turn.timestamp))
    return out


def staff_reply_seconds(
    conversation: Conversation, rules: MarkerRules | None = None
) -> tuple[list[float], int]:
    """Seconds from each handoff to staff's first message, and how many handoffs got none."""
    rules = rules or MarkerRules()
    waits, unanswered, waiting_since = [], 0, None
    for turn in conversation.turns:
        handed_over = bool(rules.handoff_actions & set(turn.actions))
        if handed_over:
            unanswered += waiting_since is not None
            waiting_since = turn.timestamp
        for reply in turn.replies:
            if reply.by_staff and waiting_since is not None:
                waits.append(max(0.0, reply.timestamp - waiting_since))
                waiting_since = None
            elif handed_over and waiting_since is not None and not reply.by_staff:
                waiting_since = reply.timestamp  # counted from the bot's "a colleague will reply"
    if waiting_since is not None:
        unanswered += 1
    return waits, unanswered


def overview_table(
    conversations: Iterable[Conversation], grain: str = "day", rules: MarkerRules | None = None,
    tz: str = SHOP_TIMEZONE,
) -> Table:  # fmt: skip
    """Per period: conversations, messages, fallback and handoff rates, median reply times."""
    rules = rules or MarkerRules()
    by_period: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        by_period[period_of(conversation.started_at, grain, tz)].append(conversation)
    rows = [[period, *_overview_row(group, rules)] for period, group in sorted(by_period.items())]
    columns = ["period", "conversations", "customer_messages", "fallback_messages", "fallback_rate",
               "handoffs", "handoff_rate", "median_bot_reply_s", "median_staff_reply_s",
               "handoffs_unanswered"]  # fmt: skip
    return Table("overview", "Conversations, fallback and handoff rates, reply times", columns, rows,
                 chart={"kind": "line", "x": "period", "values": ["fallback_rate", "handoff_rate"]},
                 note="Fallback rate: share of typed customer messages the NLU did not understand. "
                      "Reply times are medians in seconds.")  # fmt: skip


def busiest_hours_table(conversations: Iterable[Conversation], tz: str = SHOP_TIMEZONE) -> Table:
    """Customer messages per hour of the day (shop time), and per weekday within each hour."""
    counts: dict[int, Counter] = defaultdict(Counter)
    for conversation in conversations:
        for turn in conversation.customer_turns:
            moment = local_time(turn.timestamp, tz)
            counts[moment.hour][WEEKDAYS[moment.weekday()]] += 1
    rows = [[f"{hour:02d}:00", sum(counts[hour].values()), *(counts[hour][d] for d in WEEKDAYS)]
            for hour in range(24)]  # fmt: skip
    return Table("busiest_hours", "Busiest hours (customer messages, shop time)",
                 ["hour", "messages", *WEEKDAYS], rows,
                 chart={"kind": "bar", "label": ["hour"], "value": "messages"})  # fmt: skip


def _overview_row(group: list[Conversation], rules: MarkerRules) -> list:
    typed = [t for c in group for t in c.turns if not t.is_payload]
    fallbacks = sum(
        1 for t in typed if t.intent == rules.fallback_intent or rules.fallback_actions & set(t.actions)
    )
    handoffs = sum(1 for c in group if any(rules.handoff_actions & set(t.actions) for t in c.turns))
    bot = [s for c in group for s in bot_reply_seconds(c)]
    staff, unanswered = [], 0
    for conversation in group:
        waits, missed = staff_reply_seconds(conversation, rules)
        staff += waits
        unanswered += missed
    return [
        len(group),
        sum(len(c.customer_turns) for c in group),
        fallbacks,
        ratio(fallbacks, len(typed)),
        handoffs,
        ratio(handoffs, len(group)),
        _median(bot),
        _median(staff),
        unanswered,
    ]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None
