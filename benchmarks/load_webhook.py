"""Sustained load through the WhatsApp webhook: messages/s with p95 reply latency under 1 s.

Production shape on this machine: PostgreSQL (catalog, leads, tracker store, WhatsApp inbox),
Redis (lock store), N Rasa servers + M action servers behind nginx running the production
deploy/nginx.conf (ops/cluster.py), the fake Graph API in this process. An asyncio driver
posts signed webhooks at a fixed rate (open loop, Poisson arrivals) from a pool of customers,
never two messages in flight for one customer (a person waits for the answer), and measures
**webhook POST → the fake Graph API receiving the first reply**. Each rate step runs
``--seconds``; the report gives achieved msg/s, p50/p95/p99.

    .venv/bin/python benchmarks/load_webhook.py --rasa 1 --rates 2,4,6,8
    .venv/bin/python benchmarks/load_webhook.py --rasa 2 --rates 4,6,8,10
    .venv/bin/python benchmarks/load_webhook.py --rasa 1 --rates 6 --profile   # py-spy on rasa-1

Extra environment for the processes (e.g. ``ACTION_SELECTIVE_DOMAIN=true``) passes through.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

SECRET, TOKEN = "load-app-secret", "load-access-token"
MESSAGES = [  # one-message requests a shop gets all day (search + list), store questions, greetings
    "need brake pads for toyota land cruiser 2015",
    "oil filter camry 2019",
    "ابي فحمات لاندكروزر 2016",
    "do u have brake disc for prado 2012",
    "spark plugs for nissan sunny 2016",
    "shock absorber hilux 2020",
    "where is your shop",
    "what time do you open",
    "hi",
    "thanks",
]


@dataclass
class Step:
    rate: float
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    unanswered_texts: collections.Counter = field(default_factory=collections.Counter)
    skipped: int = 0  # every customer busy: counted, not sent
    started: float = 0.0
    ended: float = 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Driver:
    """Posts webhooks and matches each customer's pending message with its first reply."""

    def __init__(self, url: str, graph, customers: int) -> None:  # noqa: ANN001
        from simulator import webhooks

        self.webhooks = webhooks
        self.url = url
        self.graph = graph
        self.free = collections.deque(f"9715{n:08d}" for n in random.sample(range(10**8), customers))
        self.pending: dict[str, tuple[float, Step]] = {}
        self.texts: dict[str, str] = {}
        self.seen = 0

    async def watch(self) -> None:
        """Match replies arriving at the fake Graph API to pending messages."""
        while True:
            sent = self.graph.fake.sent
            while self.seen < len(sent):
                reply = sent[self.seen]
                self.seen += 1
                waiting = self.pending.pop(reply.to, None)
                if waiting:
                    started, step = waiting
                    step.latencies.append(reply.at - started)
                    asyncio.get_running_loop().call_later(1.0, self.free.append, reply.to)  # reads, types
            await asyncio.sleep(0.002)

    async def send(self, http: httpx.AsyncClient, step: Step) -> None:
        if not self.free:
            step.skipped += 1
            return
        customer = self.free.popleft()
        message = self.webhooks.text(customer, random.choice(MESSAGES))
        self.texts[customer] = message["text"]["body"]
        raw = self.webhooks.encode(self.webhooks.customer_message(message, name="Load"))
        self.pending[customer] = (time.monotonic(), step)
        step.sent += 1
        response = await http.post(self.url, content=raw, headers=self.webhooks.signed_headers(raw, SECRET))
        if response.status_code != 200:
            print(f"webhook answered {response.status_code}", file=sys.stderr)

    async def run_step(self, http: httpx.AsyncClient, rate: float, seconds: float) -> Step:
        step = Step(rate, started=time.monotonic())
        tasks = set()
        deadline = step.started + seconds
        due = step.started
        while due < deadline:  # arrivals on an absolute schedule: driver delays do not lower the rate
            task = asyncio.create_task(self.send(http, step))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            due += random.expovariate(rate)
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        step.ended = time.monotonic()
        await asyncio.gather(*tasks)
        grace = time.monotonic() + 15
        while any(s is step for _, s in self.pending.values()) and time.monotonic() < grace:
            await asyncio.sleep(0.05)
        for customer, (_, s) in list(self.pending.items()):
            if s is step:
                step.unanswered += 1
                step.unanswered_texts[self.texts.get(customer, "?")] += 1
                del self.pending[customer]
                self.free.append(customer)
        return step


def make_database(rows: int) -> tuple[str, str, str]:
    """A throwaway PostgreSQL database with the sample catalog: (admin url, name, url)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from catalog.importer import import_catalog
    from catalog.migrate import upgrade_database
    from catalog.sample import write_sample
    from shopkernel.db import make_engine

    admin_url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"partsbot_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    upgrade_database(url)
    engine = make_engine(url)
    with tempfile.TemporaryDirectory() as tmp:
        import_catalog(engine, write_sample(Path(tmp) / "sample.csv", rows))
    engine.dispose()
    return admin_url, name, url


def drop_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen:
    """py-spy sampling the Rasa process (all threads) while a step runs."""
    spy = Path(sys.executable).with_name("py-spy")
    args = [str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "50"]
    args += ["--format", "raw", "--output", str(out), "--nonblocking"]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def summarise_profile(path: Path, top: int = 18) -> None:
    """Inclusive share of samples per function (each function counted once per stack)."""
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = {_short(f) for f in stack.split(";")}
        for frame in frames:
            inclusive[frame] += n
    print(f"\nprofile of rasa-1 ({total} samples), inclusive share of interesting frames:")
    keep = [(f, c) for f, c in inclusive.most_common(400) if any(k in f for k in INTERESTING)]
    for frame, count in keep[:top]:
        print(f"  {100 * count / max(total, 1):5.1f}%  {frame}")


INTERESTING = (
    "rasa/",
    "sqlalchemy",
    "tensorflow",
    "connectors/",
    "ops/",
    "json",
    "psycopg",
    "aiohttp",
    "redis",
)


def _short(frame: str) -> str:
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").split(":")[0]
    where = where.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
    return f"{where}:{name}"


def metric_means(cluster) -> str:  # noqa: ANN001
    """Mean turn time (Rasa side) and action time (action servers), from /metrics."""
    from prometheus_client.parser import text_string_to_metric_families

    def mean(urls: list[str], prefix: str) -> float:
        total = count = 0.0
        for url in urls:
            for family in text_string_to_metric_families(httpx.get(url, timeout=10).text):
                for s in family.samples:
                    if s.name == prefix + "_sum":
                        total += s.value
                    elif s.name == prefix + "_count":
                        count += s.value
        return 1000 * total / count if count else float("nan")

    rasa = [f"{cluster.rasa_url(i)}/webhooks/ops/metrics" for i in range(cluster.spec.rasa_instances)]
    actions = [f"http://127.0.0.1:{p}/metrics" for p in cluster.action_ports]
    turn, action = mean(rasa, "partsbot_turn_seconds"), mean(actions, "partsbot_action_seconds")
    return f"mean turn {turn:.0f} ms, mean action call {action:.0f} ms"


async def drive(
    cluster, graph, rates: list[float], seconds: float, customers: int, prof: Path | None
) -> list[Step]:  # noqa: ANN001
    driver = Driver(f"{cluster.front_url}/webhooks/whatsapp/webhook", graph, customers)
    watcher = asyncio.create_task(driver.watch())
    steps = []
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=200)) as http:
        await driver.run_step(http, 2, 8)  # warm-up: model caches, pools, vocabulary
        for rate in rates:
            spy = profile(cluster.procs["rasa-1"].popen.pid, seconds, prof) if prof else None
            step = await driver.run_step(http, rate, seconds)
            if spy:
                spy.wait(timeout=60)
            steps.append(step)
            print(_line(step), f"| {metric_means(cluster)}", flush=True)
            if step.unanswered_texts:
                print(f"    unanswered: {dict(step.unanswered_texts)}")
    watcher.cancel()
    return steps


def _line(step: Step) -> str:
    elapsed = max(step.ended - step.started, 1e-9)
    return (
        f"offered {step.rate:5.1f}/s  achieved {len(step.latencies) / elapsed:5.2f} msg/s  "
        f"n={step.sent:4d}  p50 {1000 * step.pct(50):6.0f} ms  p95 {1000 * step.pct(95):6.0f} ms  "
        f"p99 {1000 * step.pct(99):6.0f} ms  unanswered {step.unanswered}  skipped {step.skipped}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rasa", type=int, default=1, help="Rasa servers")
    parser.add_argument("--actions", type=int, default=1, help="action servers")
    parser.add_argument("--rates", default="2,4,6,8", help="offered messages/s, one step each")
    parser.add_argument("--seconds", type=float, default=30, help="length of each step")
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--rows", type=int, default=3000, help="sample catalog size")
    parser.add_argument("--profile", action="store_true", help="py-spy rasa-1; summary of the last step")
    parser.add_argument("--model", type=Path, default=None)
    args = parser.parse_args()

    from ops.cluster import Cluster, ClusterSpec
    from ops.model import CACHE, model_path
    from simulator import webhooks
    from simulator.background import BackgroundGraph

    model = args.model or model_path()
    if not model.exists():
        cached = sorted(CACHE.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not cached:
            sys.exit("no trained model; run .venv/bin/python -m ops.model")
        model = cached[-1]
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    admin_url, db_name, db_url = make_database(args.rows)
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            BackgroundGraph(app_secret=SECRET, access_token=TOKEN) as graph,
        ):
            env = {
                "DATABASE_URL": db_url,
                "TRACKER_DB_URL": db_url,
                "LOCK_STORE_URL": redis_url,
                "LOCK_STORE_KEY_PREFIX": f"load{uuid.uuid4().hex[:8]}",
                "WHATSAPP_APP_SECRET": SECRET,
                "WHATSAPP_ACCESS_TOKEN": TOKEN,
                "WHATSAPP_PHONE_NUMBER_ID": webhooks.DEFAULT_PHONE_NUMBER_ID,
                "WHATSAPP_GRAPH_BASE_URL": graph.base_url,
                "LEAD_SPOOL_PATH": str(Path(tmp) / "spool.jsonl"),
                "OPENAI_API_KEY": "",
                "SQL_POOL_SIZE": os.environ.get("SQL_POOL_SIZE", "5"),
                "SQL_MAX_OVERFLOW": os.environ.get("SQL_MAX_OVERFLOW", "5"),
            }
            spec = ClusterSpec(
                model=model, workdir=Path(tmp), rasa_instances=args.rasa, action_servers=args.actions,
                front_port=0, action_port=0, rasa_base_port=0, action_base_port=0, env=env,
            )  # fmt: skip
            rates = [float(r) for r in args.rates.split(",")]
            prof = Path(tmp) / "rasa-1.prof" if args.profile else None
            print(f"{args.rasa} Rasa, {args.actions} action server(s), {os.cpu_count()} CPUs; {model.name}")
            with Cluster(spec) as cluster:
                steps = asyncio.run(drive(cluster, graph, rates, args.seconds, args.customers, prof))
            if prof and prof.exists():
                summarise_profile(prof)
    finally:
        drop_database(admin_url, db_name)
    ok = [s for s in steps if s.latencies and s.pct(95) < 1.0 and s.unanswered == 0]
    best = max(ok, key=lambda s: len(s.latencies) / (s.ended - s.started), default=None)
    if best:
        print(f"\nsustained with p95 < 1 s: {len(best.latencies) / (best.ended - best.started):.2f} msg/s "
              f"(offered {best.rate:g}/s, p95 {1000 * best.pct(95):.0f} ms)")  # fmt: skip
    else:
        print("\nno step kept p95 under 1 s")


if __name__ == "__main__":
    main()
