"""Counting held-out messages that hit the fallback (scripts/count_fallbacks.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rephraser.fallback_report import Example, summarise
from tests.helpers.servers import base_env

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "count_fallbacks.py"


def fallback_parse(text: str, ranking: list[tuple[str, float]], threshold: float = 0.45) -> dict:
    """What Rasa's FallbackClassifier returns: nlu_fallback on top, real intents after."""
    return {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": threshold},
        "entities": [],
        "intent_ranking": [{"name": "nlu_fallback", "confidence": threshold}]
        + [{"name": n, "confidence": c} for n, c in ranking],
    }


def confident_parse(text: str, intent: str, confidence: float) -> dict:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }


def test_counts_fallbacks_per_intent_and_the_recoverable_ones():
    pairs = [
        (Example("pads camry", "request_part"), confident_parse("pads camry", "request_part", 0.97)),
        (Example("3ndk fa7mat?", "request_part"), fallback_parse("3ndk fa7mat?", [("request_part", 0.40)])),
        (Example("when u open", "ask_hours"), fallback_parse("when u open", [("ask_location", 0.3)])),
        (Example("where r u", "ask_location"), confident_parse("where r u", "ask_location", 0.62)),
    ]

    report = summarise(pairs)

    assert (report.total, report.fallbacks, report.recoverable) == (4, 2, 1)
    assert report.by_intent == {"request_part": (1, 2), "ask_hours": (1, 1), "ask_location": (0, 1)}
    assert report.rate == 0.5
    assert [(m.text, m.best_intent) for m in report.fallback_messages] == [
        ("3ndk fa7mat?", "request_part"),
        ("when u open", "ask_location"),
    ]


def test_explicit_threshold_counts_low_confidence_too():
    pairs = [(Example("where r u", "ask_location"), confident_parse("where r u", "ask_location", 0.62))]

    assert summarise(pairs).fallbacks == 0
    assert summarise(pairs, threshold=0.7).fallbacks == 1


def test_script_reports_a_missing_heldout_file_clearly(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--heldout", str(tmp_path / "missing.yml"), "--model", str(tmp_path)],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "held-out file not found" in result.stderr


@pytest.mark.rasa
@pytest.mark.slow
def test_script_counts_with_the_trained_model():
    candidates = [*(ROOT / "models").glob("*.tar.gz"), *(ROOT / ".cache" / "models").glob("*.tar.gz")]
    models = sorted(candidates, key=lambda p: p.stat().st_mtime)
    heldout = ROOT / "tests" / "nlu_heldout.yml"
    if not models or not heldout.exists():
        pytest.skip("needs a trained model in models/ and tests/nlu_heldout.yml")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--model", str(models[-1]), "--json"],
        env=base_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report["total"] > 0
    assert 0 <= report["fallbacks"] <= report["total"]
    assert sum(v["total"] for v in report["by_intent"].values()) == report["total"]
