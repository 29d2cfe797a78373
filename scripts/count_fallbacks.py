#!/usr/bin/env python
"""Count the held-out NLU messages that would hit the fallback (and reach the GPT rephraser).

    .venv/bin/python scripts/count_fallbacks.py                      # latest model in models/
    .venv/bin/python scripts/count_fallbacks.py --model models/x.tar.gz --heldout tests/nlu_heldout.yml
    .venv/bin/python scripts/count_fallbacks.py --json               # for CI / the NLU report
    .venv/bin/python scripts/count_fallbacks.py --threshold 0.6      # "what if" at another threshold

Loads the trained model with Rasa's Python API and parses every intent example of the
held-out file (Rasa NLU YAML). Importable: ``count_fallbacks(model_path, heldout_path)``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

import typer

from rephraser.fallback_report import Example, FallbackReport, summarise

ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

app = typer.Typer(add_completion=False)


class CountError(Exception):
    """The model or the held-out file cannot be used."""


def load_examples(heldout_path: Path) -> list[Example]:
    from rasa.shared.nlu.training_data.loading import load_data

    if not heldout_path.is_file():
        raise CountError(f"held-out file not found: {heldout_path}")
    data = load_data(str(heldout_path))
    examples = [Example(m.get("text"), m.get("intent")) for m in data.intent_examples if m.get("text")]
    if not examples:
        raise CountError(f"no intent examples in {heldout_path}")
    return examples


def resolve_model(model: Path | None) -> Path:
    from rasa.model import get_latest_model

    if model is not None:
        if not model.exists():
            raise CountError(f"model not found: {model}")
        return model
    latest = get_latest_model(str(ROOT / "models"))
    if latest is None:
        raise CountError("no trained model in models/ (run `rasa train` or pass --model)")
    return Path(latest)


async def _parse_all(model_path: Path, examples: list[Example]) -> list[dict]:
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parse at debug level to stdout; keep stdout for the report.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)

    from ops.rasa_speedups import install_fast_model_load

    install_fast_model_load()  # same predictions, without the one-example training step
    agent = Agent.load(str(model_path))
    return [await agent.parse_message(example.text) for example in examples]


def count_fallbacks(
    model_path: Path | None = None,
    heldout_path: Path = ROOT / "tests" / "nlu_heldout.yml",
    threshold: float | None = None,
) -> FallbackReport:
    """Parse the held-out set with the model and count the fallbacks."""
    examples = load_examples(Path(heldout_path))
    parses = asyncio.run(_parse_all(resolve_model(model_path), examples))
    return summarise(zip(examples, parses, strict=True), threshold)


def render(report: FallbackReport, model_path: Path | None) -> str:
    lines = [
        f"model: {model_path or 'latest in models/'}",
        f"held-out messages: {report.total}",
        f"hit the fallback: {report.fallbacks} ({report.rate:.1%})"
        + (f" [threshold {report.threshold}]" if report.threshold is not None else ""),
        f"  of which the best real intent was right: {report.recoverable}",
        "by expected intent (fallbacks/total):",
    ]
    lines += [f"  {intent:<28} {f}/{t}" for intent, (f, t) in sorted(report.by_intent.items())]
    if report.fallback_messages:
        lines.append("messages that fell back (expected → best real intent, confidence):")
        lines += [
            f"  {m.text!r}: {m.expected} → {m.best_intent} ({m.best_confidence:.2f})"
            for m in report.fallback_messages
        ]
    return "\n".join(lines)


@app.command()
def main(
    model: Path = typer.Option(None, help="Trained model (.tar.gz); default: latest in models/"),
    heldout: Path = typer.Option(ROOT / "tests" / "nlu_heldout.yml", help="Held-out NLU YAML"),
    threshold: float = typer.Option(None, min=0.0, max=1.0, help="Also count best intent below this"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table"),
) -> None:
    try:
        report = count_fallbacks(model, heldout, threshold)
    except CountError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps(report.as_dict(), indent=2) if as_json else render(report, model))


if __name__ == "__main__":
    app()
