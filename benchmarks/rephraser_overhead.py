#!/usr/bin/env python
"""What the fallback rephraser adds to a turn, apart from the model's own latency.

Runs ``FallbackRephraser.clarify`` N times against the local fake OpenAI server (instant
answers) and a fake ``/model/parse``, with the usage table on SQLite, and prints p50/p95
of the whole path (budget check + HTTP + validation + re-parse + usage settle), plus the
cost of the refusal path (budget exhausted: one DB read, no HTTP) and of check_facts.

    .venv/bin/python benchmarks/rephraser_overhead.py [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from rephraser.guard import check_facts
from rephraser.service import FallbackRephraser
from rephraser.settings import RephraserSettings
from tests.fakes.openai_server import FakeOpenAIServer, json_chat_reply
from tests.rephraser.fake_rasa import FakeRasaParse

ROOT = Path(__file__).resolve().parent.parent

CLEAR = "Do you have front brake pads for Camry 2015?"
MESSY = "salam bro 3ndk brake pad for camry 2015 front? urgent pls"


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms (n={len(ms)})"


async def measure(calls: int, db: str, openai_url: str, rasa_url: str) -> None:
    settings = RephraserSettings(
        api_key="sk-bench",
        base_url=openai_url,
        rasa_url=rasa_url,
        database_url=db,
        rate_per_customer=10**9,
        rate_global=10**9,
        daily_token_budget=10**12,
    )
    rephraser = FallbackRephraser(settings)
    await rephraser.clarify(MESSY, "warmup")
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        result = await rephraser.clarify(MESSY, f"97150{i:07d}")
        samples.append(time.perf_counter() - started)
        assert result.understood, result.status
    print(f"clarify, full path against instant fakes: {percentiles(samples)}")
    await rephraser.aclose()

    refusing = FallbackRephraser(RephraserSettings(api_key="sk-bench", database_url=db, daily_token_budget=1))
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        result = await refusing.clarify(MESSY, "971500000001")
        samples.append(time.perf_counter() - started)
        assert result.status == "budget_exhausted"
    print(f"clarify, budget exhausted (no HTTP):       {percentiles(samples)}")
    await refusing.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with FakeOpenAIServer() as fake, FakeRasaParse() as rasa, tempfile.TemporaryDirectory() as tmp:
        fake.set_default("chat", json_chat_reply({"rephrased": CLEAR}))
        rasa.script(CLEAR, "request_part", 0.93, part="brake pads")
        asyncio.run(measure(args.calls, f"sqlite:///{tmp}/usage.db", fake.base_url, rasa.url))

    reply = "Brake pads 04465-60320 for your 2015 Camry: 185 AED, 4 in stock. Reply 1 to order."
    facts = ["04465-60320", "185.00", 4, reply]
    started = time.perf_counter()
    for _ in range(2000):
        check_facts(reply, facts, required=[reply])
    print(f"check_facts on a typical reply: {(time.perf_counter() - started) / 2000 * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
