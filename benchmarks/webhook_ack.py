"""Webhook acknowledgement latency at a steady request rate (goal: p99 < 25 ms at 200 req/s).

A server process hosts the real WhatsApp channel on Sanic (signature check, dedup claim in
SQLite or Redis, background turn) with a stand-in for Rasa that answers every message through
the channel's OutputChannel to the fake Graph API (its own process, as Meta is), so
acknowledgements are measured while read marks and replies are being sent. The driver sends
signed, unique messages from 50 customers open-loop (a request every 1/rate seconds, whether
or not earlier ones returned) and reports latency percentiles of the HTTP 200s.
``--ack-only`` drops the replies and read marks, to separate the webhook's own cost.

    .venv/bin/python benchmarks/webhook_ack.py [--rate 200] [--seconds 10] [--redis redis://...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SECRET, TOKEN = "bench-secret", "bench-token"


def serve(port: int, graph_port: int, database_url: str, redis_url: str, ack_only: bool) -> None:
    """The server process: Sanic + WhatsApp channel + echoing stand-in for Rasa."""
    import logging

    from sanic import Sanic

    from connectors.whatsapp.channel import WhatsAppInput
    from connectors.whatsapp.settings import WhatsAppSettings
    from simulator import webhooks

    logging.basicConfig(level=logging.WARNING)
    settings = WhatsAppSettings(
        verify_token="v",
        app_secret=SECRET,
        access_token=TOKEN,
        phone_number_id=webhooks.DEFAULT_PHONE_NUMBER_ID,
        graph_base_url=f"http://127.0.0.1:{graph_port}",
        database_url=database_url,
        mark_read=not ack_only,
    )
    channel = WhatsAppInput(settings)

    async def echo(message) -> None:
        if ack_only:
            return
        await message.output_channel.send_response(message.sender_id, {"text": f"You said: {message.text}"})

    app = Sanic("webhook_ack_bench")
    app.blueprint(channel.blueprint(echo), url_prefix="/webhooks/whatsapp")

    @app.get("/bench/ready")
    async def ready(_request):
        from sanic import response

        return response.json({"ok": True})

    app.run(host="127.0.0.1", port=port, access_log=False, debug=False, workers=1, motd=False)


async def drive(url: str, rate: float, seconds: float, customers: int) -> list[float]:
    import aiohttp

    from simulator import webhooks

    total = int(rate * seconds)
    bodies = []
    for n in range(total):  # built and signed up front: the clock measures the server only
        raw = webhooks.encode(
            webhooks.customer_message(webhooks.text(f"9715{n % customers:08d}", f"part {n}"))
        )
        bodies.append((raw, webhooks.signed_headers(raw, SECRET)))
    latencies: list[float] = []
    failures: list[str] = []
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(raw: bytes, headers: dict[str, str]) -> None:
            started = time.perf_counter()
            try:
                async with session.post(url, data=raw, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        failures.append(f"HTTP {response.status}")
                        return
            except aiohttp.ClientError as exc:
                failures.append(type(exc).__name__)
                return
            latencies.append((time.perf_counter() - started) * 1000)

        # warm-up: connections, SQLite file, first turn
        await asyncio.gather(*(one(*bodies[i]) for i in range(min(20, total))))
        latencies.clear()
        tasks = []
        start = time.perf_counter()
        for i, (raw, headers) in enumerate(bodies[20:], start=0):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(raw, headers)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    print(
        f"sent {len(tasks)} requests in {elapsed:.1f} s ({len(tasks) / elapsed:.0f} req/s); "
        f"failures: {len(failures)}"
    )
    if failures:
        print("  failure kinds:", sorted(set(failures)))
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--redis", default="", help="ignored: the dedup is the inbox in the SQL database")
    parser.add_argument(
        "--database-url", default="", help="SQL dedup store (default: a temporary SQLite file)"
    )
    parser.add_argument("--ack-only", action="store_true", help="no replies or read marks")
    parser.add_argument(
        "--serve", nargs=4, metavar=("PORT", "GRAPH_PORT", "DB_URL", "REDIS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve:
        port, graph_port, db_url, redis_url = args.serve
        serve(int(port), int(graph_port), db_url, "" if redis_url == "-" else redis_url, args.ack_only)
        return

    from tests.helpers.servers import free_port

    port, graph_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", SQLALCHEMY_SILENCE_UBER_WARNING="1")
        cmd = [sys.executable, __file__, "--serve", str(port), str(graph_port), db_url, args.redis or "-"]
        cmd += ["--ack-only"] if args.ack_only else []
        graph_env = dict(env, WHATSAPP_APP_SECRET=SECRET, WHATSAPP_ACCESS_TOKEN=TOKEN)
        graph_cmd = [sys.executable, "-m", "simulator", "graph", "--port", str(graph_port), "--no-statuses"]
        graph = subprocess.Popen(graph_cmd, cwd=ROOT, env=graph_env, stdout=subprocess.DEVNULL)  # noqa: S603
        server = subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603 - fixed argv
        try:
            _wait_ready(f"http://127.0.0.1:{graph_port}/_sim/health")
            _wait_ready(f"http://127.0.0.1:{port}/bench/ready")
            url = f"http://127.0.0.1:{port}/webhooks/whatsapp/webhook"
            latencies = asyncio.run(drive(url, args.rate, args.seconds, args.customers))
            time.sleep(2)
            import httpx

            counts = httpx.get(f"http://127.0.0.1:{graph_port}/_sim/health").json()
        finally:
            for process in (server, graph):
                process.terminate()
                process.wait(20)
    store = (
        "Redis" if args.redis else ("PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite")
    )
    print(f"dedup store: {store}; replies the fake Graph API accepted meanwhile: {counts['sent']}")
    if latencies:
        print(
            f"ack latency over {len(latencies)} requests at {args.rate:.0f} req/s: "
            f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
            f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms, "
            f"mean {statistics.mean(latencies):.1f} ms (goal: p99 < 25 ms)"
        )


def _wait_ready(url: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not ready at {url}")


if __name__ == "__main__":
    main()
