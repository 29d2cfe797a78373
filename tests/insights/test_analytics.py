"""Funnel, demand and conversation figures checked against generated conversations whose true
counts are known (tests/insights/generator.py), read back from a real tracker-store table."""

from __future__ import annotations

import statistics

import pytest

from insights.demand import demand_table
from insights.funnel import STAGES, funnel_table
from insights.metrics import busiest_hours_table, language_table, overview_table
from tests.insights.generator import generate


@pytest.fixture(scope="module")
def generated():
    return generate(n=240, seed=16)


@pytest.fixture(scope="module")
def conversations(generated, tracker_store_factory):
    store = tracker_store_factory(generated.rows)
    return store.conversations()


def test_every_generated_conversation_is_read_back(conversations, generated):
    assert len(conversations) == generated.truth.conversations == 240


def test_funnel_matches_the_generated_paths(conversations, generated):
    table = funnel_table(conversations, generated.leads)
    [row] = table.as_dicts()
    assert {s: row[s] for s in STAGES} == {s: generated.truth.stages[s] for s in STAGES}
    counts = [row[s] for s in STAGES]
    assert counts == sorted(counts, reverse=True) and counts[-1] > 0  # a funnel, and some sales
    assert row["won_rate"] == round(row["won"] / row["conversations"], 4)


def test_funnel_per_day_adds_up_to_the_total(conversations, generated):
    days = funnel_table(conversations, generated.leads, grain="day")
    assert len(days.rows) >= 14 - 1
    for stage in STAGES:
        assert sum(days.column(stage)) == generated.truth.stages[stage]
    weeks = funnel_table(conversations, generated.leads, grain="week")
    assert sum(weeks.column("won")) == generated.truth.stages["won"] and 2 <= len(weeks.rows) <= 3


def test_not_found_and_out_of_stock_ranked_with_true_counts(conversations, generated):
    for kind, truth in (
        ("not_found", generated.truth.not_found),
        ("out_of_stock", generated.truth.out_of_stock),
    ):
        table = demand_table(conversations, kind=kind)
        found = {(r["part"], r["make"], r["model"]): r["conversations"] for r in table.as_dicts()}
        assert found == dict(truth), kind
        ranked = table.column("conversations")
        assert ranked == sorted(ranked, reverse=True) and table.column("rank") == list(
            range(1, len(ranked) + 1)
        )


def test_languages_fallback_and_handoff_rates(conversations, generated):
    truth = generated.truth
    languages = {r["language"]: r["conversations"] for r in language_table(conversations).as_dicts()}
    assert languages == {"en": truth.languages["en"], "ar": truth.languages["ar"],
                         "arabizi": truth.languages["arabizi"]}  # fmt: skip
    [row] = overview_table(conversations, grain="all").as_dicts()
    assert row["fallback_messages"] == truth.fallback_messages
    assert row["fallback_rate"] == round(truth.fallback_messages / truth.typed_messages, 4)
    assert row["handoffs"] == truth.handoffs and row["handoff_rate"] == round(truth.handoffs / 240, 4)
    assert row["median_bot_reply_s"] == pytest.approx(statistics.median(truth.bot_reply_s), abs=0.002)
    assert row["median_staff_reply_s"] == pytest.approx(statistics.median(truth.staff_reply_s), abs=0.002)
    assert row["handoffs_unanswered"] == truth.handoffs - len(truth.staff_reply_s)


def test_busiest_hours_count_every_customer_message(conversations):
    table = busiest_hours_table(conversations)
    assert len(table.rows) == 24
    assert sum(table.column("messages")) == sum(len(c.customer_turns) for c in conversations)
    for row in table.rows:
        assert row[1] == sum(row[2:])


def test_csv_export_has_a_header_and_every_row(conversations, generated):
    table = funnel_table(conversations, generated.leads, grain="day")
    lines = table.to_csv().splitlines()
    assert lines[0] == "period," + ",".join(STAGES) + ",won_rate"
    assert len(lines) == len(table.rows) + 1
