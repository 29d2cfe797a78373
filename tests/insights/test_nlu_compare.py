"""Comparing held-out NLU reports before and after a round of corrections."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from catalog_loader.cli import app
from insights.nlu_compare import compare


def results(macro: float, choose_f1: float, errors: list[str], fallbacks: int) -> dict:
    return {
        "intent_macro_f1": macro, "intent_accuracy": macro, "entity_f1": 0.96, "entity_precision": 0.95,
        "entity_recall": 0.97, "nlu_fallback_count": fallbacks,
        "per_intent": {"choose_part": {"f1": choose_f1}, "inform": {"f1": 0.9}},
        "intent_errors": [{"text": t, "expected": "inform", "predicted": "choose_part", "confidence": 0.9}
                          for t in errors],
    }  # fmt: skip


def test_figures_side_by_side_and_messages_fixed_or_broken():
    before = results(0.914, 0.80, ["the red one", "ok the 2016"], 2)
    after = results(0.931, 0.92, ["ok the 2016", "yes that one"], 1)
    table, fixed, broken = compare(before, after)
    rows = {r[0]: r[1:] for r in table.rows}
    assert rows["intent_macro_f1"] == [0.914, 0.931, 0.017]
    assert rows["f1 choose_part"] == [0.80, 0.92, 0.12] and rows["f1 inform"][2] == 0
    assert rows["nlu_fallback_count"] == [2, 1, -1]
    assert (fixed, broken) == (["the red one"], ["yes that one"])


def test_cli_prints_the_comparison(tmp_path):
    (tmp_path / "before.json").write_text(json.dumps(results(0.914, 0.8, ["the red one"], 2)))
    (tmp_path / "after.json").write_text(json.dumps(results(0.931, 0.92, [], 1)))
    result = CliRunner().invoke(app, ["review", "compare-nlu", str(tmp_path / "before.json"),
                                      str(tmp_path / "after.json")])  # fmt: skip
    assert result.exit_code == 0 and "+0.017" in result.stdout and "fixed  the red one" in result.stdout
    bad = CliRunner().invoke(
        app, ["review", "compare-nlu", str(tmp_path / "missing.json"), str(tmp_path / "after.json")]
    )
    assert bad.exit_code == 2 and "not a held-out results file" in bad.stderr
