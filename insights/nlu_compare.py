"""Before/after of the held-out NLU report (scripts/evaluate_nlu.py's results JSON).

The last step of the designer's loop (docs/review.md): keep ``results/nlu-heldout.json`` from
before the corrections, retrain, run the report again, and compare: the overall figures, each
intent's F1, and which held-out messages the change fixed or broke.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from insights.tables import Table

OVERALL = ("intent_macro_f1", "intent_accuracy", "entity_f1", "entity_precision", "entity_recall",
           "nlu_fallback_count")  # fmt: skip


def load_results(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a held-out results file ({exc})") from None


def compare(before: dict[str, Any], after: dict[str, Any]) -> tuple[Table, list[str], list[str]]:
    """The figures side by side, and the held-out messages fixed and broken by the change."""
    rows = [
        [name, before.get(name), after.get(name), _delta(before.get(name), after.get(name))]
        for name in OVERALL
    ]
    intents = sorted(set(before.get("per_intent") or {}) | set(after.get("per_intent") or {}))
    for intent in intents:
        b = ((before.get("per_intent") or {}).get(intent) or {}).get("f1")
        a = ((after.get("per_intent") or {}).get(intent) or {}).get("f1")
        rows.append([f"f1 {intent}", b, a, _delta(b, a)])
    table = Table(
        "nlu_compare", "Held-out NLU before and after", ["measure", "before", "after", "change"], rows
    )
    wrong_before = {e["text"] for e in before.get("intent_errors") or []}
    wrong_after = {e["text"] for e in after.get("intent_errors") or []}
    return table, sorted(wrong_before - wrong_after), sorted(wrong_after - wrong_before)


def _delta(before: Any, after: Any) -> float | None:
    if isinstance(before, int | float) and isinstance(after, int | float):
        return round(after - before, 4)
    return None
