"""End-to-end reply latency through the real stack (goal: p95 < 500 ms with 20 concurrent customers).

Starts the action server and the Rasa server (tests/helpers/servers.py, the cached trained model,
a 3 000-part sample catalog) with the WhatsApp channel pointed at a fake Graph API in this
process. Each of N customers has the same short conversation, as a person would: send a
signed webhook, wait for the answer, then the next message:

    "hi" → "need brake pads for toyota land cruiser 2015" → tap the first part of the list

With ``--think 0`` every customer sends at the same instant (a burst: all 20 turns queue in
the one Rasa process). The default gives each customer a random 1-4 s pause before each
message (reading and typing) and staggers their starts: 20 conversations in progress at once,
as in a shop's busy hour. Latency is measured from the webhook POST to the first reply the
fake Graph API accepts (what the customer sees first) and to the last message of that turn
(the turn is over once no message arrived for a quiet second, which is not counted).

    .venv/bin/python benchmarks/webhook_e2e.py [--customers 20] [--model path/to/model.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SECRET, TOKEN = "e2e-bench-secret", "e2e-bench-token"
QUIET_SECONDS = 1.0


@dataclass
class Turn:
    step: str
    first_ms: float
    last_ms: float
    messages: int


async def converse(http, webhook_url: str, graph, customer: str, think: float = 0.0) -> list[Turn]:
    from simulator import webhooks

    async def pause() -> None:
        if think:
            await asyncio.sleep(random.uniform(think / 4, think))

    turns: list[Turn] = []
    query = "need brake pads for toyota land cruiser 2015"
    steps = [("greeting", webhooks.text(customer, "hi")), ("parts query", webhooks.text(customer, query))]
    for step, message in steps:
        await pause()
        turns.append(await _turn(http, webhook_url, graph, customer, step, message))
    rows = _last_list_rows(graph, customer)
    if rows:
        await pause()
        pick = webhooks.list_reply(customer, rows[0]["id"], rows[0]["title"], rows[0].get("description", ""))
        turns.append(await _turn(http, webhook_url, graph, customer, "tap a part", pick))
    return turns


async def _turn(http, webhook_url: str, graph, customer: str, step: str, message: dict) -> Turn:
    from simulator import webhooks

    before = len(graph.fake.messages_to(customer))
    raw = webhooks.encode(webhooks.customer_message(message, name=f"Bench {customer[-3:]}"))
    started = time.monotonic()
    response = await http.post(webhook_url, content=raw, headers=webhooks.signed_headers(raw, SECRET))
    response.raise_for_status()
    deadline = started + 60
    while len(graph.fake.messages_to(customer)) == before:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{customer}: no reply to {step!r} within 60 s")
        await asyncio.sleep(0.005)
    while True:  # the turn is over after a quiet second
        sent = graph.fake.messages_to(customer)[before:]
        if time.monotonic() - sent[-1].at >= QUIET_SECONDS:
            break
        await asyncio.sleep(0.05)
    return Turn(step, (sent[0].at - started) * 1000, (sent[-1].at - started) * 1000, len(sent))


def _last_list_rows(graph, customer: str) -> list[dict]:
    for message in reversed(graph.fake.messages_to(customer)):
        interactive = message.payload.get("interactive") or {}
        if interactive.get("type") == "list":
            return [row for section in interactive["action"]["sections"] for row in section["rows"]]
    return []


async def run(webhook_url: str, graph, customers: int, think: float) -> list[Turn]:
    import httpx

    async with httpx.AsyncClient(timeout=30) as http:
        await converse(http, webhook_url, graph, "971509000000")  # warm-up, not counted
        results = await asyncio.gather(
            *(converse(http, webhook_url, graph, f"9715091{n:05d}", think) for n in range(customers))
        )
    return [turn for turns in results for turn in turns]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def report(turns: list[Turn], customers: int, think: float) -> None:
    pauses = f"pauses of {think / 4:.0f}-{think:.0f} s before each message" if think else "no pauses (burst)"
    print(f"{customers} concurrent customers, {pauses}, {len(turns)} turns")
    groups = {"all turns": turns} | {
        step: [t for t in turns if t.step == step] for step in dict.fromkeys(t.step for t in turns)
    }
    for name, group in groups.items():
        first = [t.first_ms for t in group]
        last = [t.last_ms for t in group]
        print(
            f"  {name:<12} n={len(group):>3}  first reply p50 {pct(first, 50):6.0f} ms"
            f"  p95 {pct(first, 95):6.0f} ms  | whole turn p50 {pct(last, 50):6.0f} ms"
            f"  p95 {pct(last, 95):6.0f} ms  max {max(last):6.0f} ms"
            f"  ({statistics.mean(t.messages for t in group):.1f} messages/turn)"
        )
    print("goal: p95 < 500 ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--think", type=float, default=4.0, help="max pause before each message; 0 = burst")
    parser.add_argument(
        "--model", type=Path, default=None, help="default: the cached model for the current data"
    )
    args = parser.parse_args()

    from ops.model import model_path
    from simulator import webhooks
    from simulator.background import BackgroundGraph
    from tests.helpers.servers import AssistantStack, build_sample_catalog

    model = args.model or model_path()
    if not model.exists():
        sys.exit(f"no trained model at {model}; train it (python -m ops.model) or pass --model")
    with (
        tempfile.TemporaryDirectory() as tmp,
        BackgroundGraph(app_secret=SECRET, access_token=TOKEN) as graph,
    ):
        workdir = Path(tmp)
        catalog_url = build_sample_catalog(workdir / "catalog.db", rows=3000)
        env = {
            "WHATSAPP_APP_SECRET": SECRET,
            "WHATSAPP_ACCESS_TOKEN": TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": webhooks.DEFAULT_PHONE_NUMBER_ID,
            "WHATSAPP_GRAPH_BASE_URL": graph.base_url,
        }
        with AssistantStack(
            workdir, catalog_url, model=model, credentials=ROOT / "credentials.yml", extra_env=env
        ) as stack:
            try:
                turns = asyncio.run(
                    run(f"{stack.rasa_url}/webhooks/whatsapp/webhook", graph, args.customers, args.think)
                )
            except Exception:
                print(stack.logs(), file=sys.stderr)
                raise
        rejected = len(graph.fake.rejected)
    report(turns, args.customers, args.think)
    print(f"messages the fake Graph API rejected as Meta would: {rejected}")


if __name__ == "__main__":
    main()
