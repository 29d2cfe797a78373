"""Closed-loop WhatsApp throughput: turns/s and reply latency as customers feel them (issue 17).

Each simulated customer sends a signed webhook, waits until the bot's first reply **to that
message** reaches the fake Graph API, and sends its next message at once (no think time): the
load is the number of customers, not a rate. For 1, 20 and 50 customers the report gives
turns/s (replies per second of the measured window) and the reply latency p50/p95/p99 (webhook
POST → first reply at the fake Graph API).

Customers follow short scripted conversations in English, Gulf Arabic and Arabizi, with typos
(each customer with a model year of their own); when a script ends, a new customer (a new number)
takes the place, so conversations stay as short as a shop's chats (``--long-chats``: the same
customer repeats the script in one conversation, hundreds of turns long at one customer):
greetings, one-message part requests, the part form step by step (part, make, model and year),
a tap on the first part offered (a row of the WhatsApp list, or a reply button when there are
three results or fewer), store questions, thanks. A tap waits until the results have arrived
(nobody taps a list they have not seen); when the bot found nothing to offer, the customer writes
"ok" once the bot has been quiet for 2 s.

Which reply answers which message: the channel marks a message as read (with the typing
indicator) when its turn starts, and turns of one customer run in order, so the first reply
after the read receipt of message N answers N; replies that come later from turn N-1 (its
second and third messages) are not counted as answers to N.

Default set-up (one Rasa server, one action server, SQLite), started here::

    .venv/bin/python benchmarks/closed_loop.py                       # 1, 20, 50 customers
    .venv/bin/python benchmarks/closed_loop.py --customers 20 --seconds 60 --profile

Variants started side by side and driven in turn (A B A B …), so that they share the load::

    .venv/bin/python benchmarks/closed_loop.py --customers 20 --rounds 2 \\
        --variant "shipped:RASA_SPEEDUPS=none" --variant "speedups:"

The production shape started here (ops/cluster.py, as deploy/run_cluster.py runs it): nginx in
front of N Rasa servers, one action server, PostgreSQL for the catalog and the trackers (a
throwaway database per set-up) and the Redis lock store; several set-ups are driven in turn::

    .venv/bin/python benchmarks/closed_loop.py --customers 20 --cluster 1,2

An already running set-up, e.g. the production shape behind nginx (its WhatsApp channel must
send to this script's fake Graph API, and share its secret and token)::

    WHATSAPP_GRAPH_BASE_URL=http://127.0.0.1:8999 WHATSAPP_APP_SECRET=bench-secret \\
    WHATSAPP_ACCESS_TOKEN=bench-token … (start the servers)
    .venv/bin/python benchmarks/closed_loop.py --url http://127.0.0.1:8080 --graph-port 8999

Every figure is printed with the load average of the machine (it is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]

from default_stack import (  # noqa: E402
    DefaultStack,
    cached_model,
    load_average,
    machine_busy_s,
    process_tree_cpu_s,
)
from load_webhook import drop_database, make_database  # noqa: E402

from simulator import webhooks  # noqa: E402
from simulator.graph_server import FakeGraphApi, SentMessage  # noqa: E402

SECRET, TOKEN, VERIFY = "bench-secret", "bench-token", "bench-verify"
TAP = object()  # script step: tap the first part of the latest list or reply buttons
SCRIPTS: list[list[Any]] = [
    ["hi", "need brake pads for toyota land cruiser {year}", TAP, "where is your shop", "thanks"],
    ["السلام عليكم", "ابي فحمات لاندكروزر {year}", TAP, "متى تفتحون", "مشكور"],
    ["salam", "abi fa7mat patrol {year}", TAP, "wen el mo7al", "shukran"],
    ["hello", "oil filter", "toyota", "camry", "{year}", TAP, "bye"],
    ["helo", "do u have brake disc for prado {year}", TAP, "what time do you open", "thx"],
    ["مرحبا", "فلتر زيت كامري {year}", TAP, "شكرا"],
    ["hii", "spark plugs", "nissan", "sunny {year}", TAP, "ok thanks"],
    ["good morning", "shock absorber hilux {year}", TAP, "do you deliver to sharjah", "thanks bro"],
]
# Each customer names a model year of their own (2008-2023), so the part requests are not the
# same text for everyone (a cache of parses by text would otherwise look better than it is);
# greetings, makes and thanks repeat word for word, as they do in the shop's real chats.
YEARS = range(2008, 2024)


def new_customer(rng: random.Random) -> tuple[str, int]:
    """A UAE mobile number and the model year this customer asks about."""
    return f"9715{rng.randrange(10**8):08d}", rng.choice(YEARS)


# -- the fake Graph API, with a hook on every accepted message and read receipt ---------------


class _Observed(list):
    """A list that calls ``hook(item)`` on every append (the fake Graph API's records)."""

    def __init__(self, hook: Callable[[Any], None]) -> None:
        super().__init__()
        self._hook = hook

    def append(self, item: Any) -> None:
        super().append(item)
        self._hook(item)


@dataclass
class Pending:
    customer: str
    message_id: str
    sent_at: float
    started: bool  # read receipt seen: the turn of this message is running
    answered: asyncio.Future


class ReplyWatch:
    """Matches replies at the fake Graph API to the message each customer is waiting on."""

    def __init__(self, fake: FakeGraphApi, use_reads: bool = True) -> None:
        self.fake = fake
        self.use_reads = use_reads
        self.pending: dict[str, Pending] = {}
        self.choices: dict[str, tuple[str, dict]] = {}  # customer -> ("list" | "button", first result)
        self.last_sent: dict[str, float] = {}  # customer -> when the bot last sent them something
        self.reads_seen = 0
        fake.sent = _Observed(self._on_sent)
        fake.reads = _Observed(self._on_read)

    def expect(self, customer: str, message_id: str) -> Pending:
        waiting = Pending(customer, message_id, time.monotonic(), not self.use_reads,
                          asyncio.get_running_loop().create_future())  # fmt: skip
        self.pending[customer] = waiting
        return waiting

    def _on_read(self, payload: dict) -> None:
        self.reads_seen += 1
        for waiting in self.pending.values():
            if waiting.message_id == payload.get("message_id"):
                waiting.started = True
                return

    def _on_sent(self, message: SentMessage) -> None:
        self.last_sent[message.to] = message.at
        choice = first_result(message.payload.get("interactive") or {})
        if choice is not None:
            self.choices[message.to] = choice
        waiting = self.pending.get(message.to)
        if waiting and waiting.started and not waiting.answered.done():
            waiting.answered.set_result(message.at - waiting.sent_at)
            del self.pending[message.to]


def first_result(interactive: dict) -> tuple[str, dict] | None:
    """The first part offered by a WhatsApp list (4+ results) or reply buttons (1-3 results).

    Only parts (``/choose_part…`` ids) count: other buttons (talk to a person, …) are not taps a
    customer makes on the way to buying."""
    action = interactive.get("action") or {}
    if interactive.get("type") == "list":
        rows = [row for section in action.get("sections", []) for row in section.get("rows", [])]
        options = [("list", row) for row in rows]
    elif interactive.get("type") == "button":
        options = [("button", button.get("reply") or {}) for button in action.get("buttons", [])]
    else:
        return None
    return next((o for o in options if str(o[1].get("id", "")).startswith("/choose_part")), None)


# -- customers ---------------------------------------------------------------------------------


@dataclass
class Level:
    variant: str
    customers: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    load_before: str = ""
    load_after: str = ""
    cpu_s: dict[str, float] = field(default_factory=dict)  # CPU seconds used in the window, by process
    tap_wait_share: float = 0.0  # of the customers' time, spent waiting for results to tap
    taps_without_results: int = 0  # taps with no part offered (the customer said "ok" instead)

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]

    @property
    def turns_per_s(self) -> float:
        return len(self.latencies) / self.seconds

    def line(self) -> str:
        ms = [1000 * self.pct(q) for q in (50, 95, 99)]
        return (
            f"{self.variant:<14} {self.customers:>3} customers  {self.turns_per_s:6.1f} turns/s  "
            f"p50 {ms[0]:6.0f} ms  p95 {ms[1]:6.0f} ms  p99 {ms[2]:6.0f} ms  "
            f"n={len(self.latencies):<5} unanswered {self.unanswered}  "
            f"[{self.load_before} → {self.load_after}]"
        )

    def cpu_line(self) -> str:
        """CPU milliseconds per answered turn, by process, and how busy the whole machine was."""
        turns = max(1, len(self.latencies))
        parts = [f"{name} {1000 * s / turns:.0f}" for name, s in self.cpu_s.items() if name != "machine"]
        busy = self.cpu_s.get("machine", 0.0) / self.seconds / (os.cpu_count() or 1)
        return (
            f"{'':<14} CPU ms per turn: {', '.join(parts)}; machine busy {100 * busy:.0f} %; "
            f"customers waited for results to tap {100 * self.tap_wait_share:.0f} % of the time "
            f"({self.taps_without_results} taps found none)"
        )


class Customer:
    """One chat slot: a customer who runs their script, then (``new_chats``) makes room for the
    next customer, a new number with a model year of their own — as a shop's chats are short.
    Without ``new_chats`` the same customer repeats the script in one ever longer conversation."""

    def __init__(
        self, rng: random.Random, script: list[Any], start: int, watch: ReplyWatch, new_chats: bool = True
    ) -> None:
        self.rng = rng
        self.script = script
        self.position = start
        self.new_chats = new_chats
        self.number, self.year = new_customer(rng)
        self.watch = watch
        self.tap_wait_s = 0.0  # waiting for results to tap (not part of a reply's latency)
        self.taps_without_results = 0

    async def turn(self, http: httpx.AsyncClient, webhook_url: str, timeout: float) -> float | None:
        """One message and its first reply's latency in seconds (None: no answer in time)."""
        if self.position == len(self.script):
            self.position = 0
            if self.new_chats:
                self.number, self.year = new_customer(self.rng)
        step = self.script[self.position]
        self.position += 1
        if step is not TAP:
            step = step.replace("{year}", str(self.year))
        message = await self._tap() if step is TAP else webhooks.text(self.number, step)
        if message is None:  # no list came: the customer says something instead
            message = webhooks.text(self.number, "ok")
        self.watch.choices.pop(self.number, None)
        raw = webhooks.encode(webhooks.customer_message(message, name=f"Bench {self.number[-4:]}"))
        waiting = self.watch.expect(self.number, message["id"])
        response = await http.post(webhook_url, content=raw, headers=webhooks.signed_headers(raw, SECRET))
        if response.status_code != 200:
            print(f"webhook answered {response.status_code}: {response.text[:200]}", file=sys.stderr)
        try:
            return await asyncio.wait_for(asyncio.shield(waiting.answered), timeout)
        except asyncio.TimeoutError:
            self.watch.pending.pop(self.number, None)
            return None

    async def _tap(self, wait_s: float = 10.0, quiet_s: float = 2.0) -> dict | None:
        """Tap the first part of the latest list or buttons, once they have arrived.

        A reply with no parts to tap (nothing found, a question) ends the wait once the bot has
        been quiet for ``quiet_s``: the customer reads it and writes something else."""
        started = time.monotonic()
        deadline = started + wait_s
        while self.number not in self.watch.choices and time.monotonic() < deadline:
            if time.monotonic() - self.watch.last_sent.get(self.number, started) > quiet_s:
                break
            await asyncio.sleep(0.01)
        self.tap_wait_s += time.monotonic() - started
        choice = self.watch.choices.get(self.number)
        if choice is None:
            self.taps_without_results += 1
            return None
        kind, option = choice
        if kind == "button":
            return webhooks.button_reply(self.number, option["id"], option["title"])
        return webhooks.list_reply(self.number, option["id"], option["title"], option.get("description", ""))


async def run_level(
    http: httpx.AsyncClient,
    webhook_url: str,
    watch: ReplyWatch,
    level: Level,
    warmup_s: float,
    rng: random.Random,
    cpu_probe: Callable[[], dict[str, float]] | None = None,
    new_chats: bool = True,
) -> Level:
    """``level.customers`` closed loops; turns answered inside the measured window count
    (``cpu_probe``: CPU seconds by process, read at the window's start and end)."""
    scripts = [SCRIPTS[n % len(SCRIPTS)] for n in range(level.customers)]
    customers = [Customer(rng, script, rng.randrange(len(script)), watch, new_chats) for script in scripts]
    started = time.monotonic()
    window = (started + warmup_s, started + warmup_s + level.seconds)
    level.load_before = load_average()

    async def loop(customer: Customer) -> None:
        await asyncio.sleep(rng.uniform(0, min(1.0, warmup_s)))  # do not all start in the same ms
        while time.monotonic() < window[1]:
            latency = await customer.turn(http, webhook_url, timeout=30)
            now = time.monotonic()
            if latency is None:
                level.unanswered += now >= window[0]
            elif window[0] <= now <= window[1]:
                level.latencies.append(latency)

    async def measure_cpu() -> None:
        await asyncio.sleep(max(0.0, window[0] - time.monotonic()))
        start = cpu_probe()
        await asyncio.sleep(max(0.0, window[1] - time.monotonic()))
        level.cpu_s = {name: used - start.get(name, 0.0) for name, used in cpu_probe().items()}

    await asyncio.gather(*(loop(c) for c in customers), *([measure_cpu()] if cpu_probe else []))
    level.load_after = load_average()
    elapsed = time.monotonic() - started
    level.tap_wait_share = sum(c.tap_wait_s for c in customers) / (len(customers) * elapsed)
    level.taps_without_results = sum(c.taps_without_results for c in customers)
    await asyncio.sleep(2)  # let trailing replies of the last turns drain before the next level
    return level


# -- targets: the default set-up started here, or a given URL ---------------------------------------


@dataclass
class Target:
    name: str
    url: str
    stack: DefaultStack | None = None
    cluster: Any = None  # ops.cluster.Cluster when the production shape was started here
    database: tuple[str, str] | None = None  # (admin url, name) of its throwaway database

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
        if self.cluster is not None:
            self.cluster.stop()
        if self.database is not None:
            drop_database(*self.database)

    def logs(self) -> str:
        if self.stack is not None:
            return self.stack.logs()
        return self.cluster.logs() if self.cluster is not None else ""

    def servers(self) -> dict[str, list[int]]:
        """Pids of the Rasa and action servers started here, by role (none for --url)."""
        if self.stack is not None:
            return {"rasa": [self.stack.rasa.popen.pid], "actions": [self.stack.procs[0].popen.pid]}
        if self.cluster is not None:
            procs = self.cluster.procs
            return {
                "rasa": [procs[name].popen.pid for name in self.cluster.rasa_names()],
                "actions": [procs[name].popen.pid for name in self.cluster.action_names()],
            }
        return {}


def parse_variant(spec: str) -> tuple[str, dict[str, str]]:
    """``name:VAR=value VAR2=value`` → (name, env); ``model=path`` picks another trained model."""
    name, _, rest = spec.partition(":")
    env = dict(item.split("=", 1) for item in shlex.split(rest))
    return name.strip() or "default", env


def whatsapp_env(graph_url: str) -> dict[str, str]:
    """The channel's settings pointing at this script's fake Graph API."""
    return {
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_VERIFY_TOKEN": VERIFY,
        "WHATSAPP_PHONE_NUMBER_ID": webhooks.DEFAULT_PHONE_NUMBER_ID,
        "WHATSAPP_GRAPH_BASE_URL": graph_url,
    }


def start_cluster(rasa_servers: int, args: argparse.Namespace, graph_url: str, workdir: Path) -> Target:
    """The production shape: nginx, ``rasa_servers`` Rasa servers, one action server, the web
    service, PostgreSQL (a throwaway database with the sample catalog) and the Redis lock store."""
    from ops.cluster import Cluster, ClusterSpec

    admin_url, db_name, db_url = make_database(args.rows)
    env = {
        **whatsapp_env(graph_url),
        "DATABASE_URL": db_url,
        "TRACKER_DB_URL": db_url,
        "LOCK_STORE_URL": args.redis_url,
        "LOCK_STORE_KEY_PREFIX": db_name.replace("_", ""),
        "LEAD_SPOOL_PATH": str(workdir / "spool" / "leads.jsonl"),
        "OPENAI_API_KEY": "",
    }
    spec = ClusterSpec(
        model=args.model or cached_model(), workdir=workdir, rasa_instances=rasa_servers,
        front_port=0, action_port=0, rasa_base_port=0, action_base_port=0, env=env, web_port=0,
    )  # fmt: skip
    target = Target(f"cluster-{rasa_servers}", "", database=(admin_url, db_name))
    try:
        target.cluster = Cluster(spec).start()
    except BaseException:
        target.stop()
        raise
    target.url = target.cluster.front_url
    slowest = max(target.cluster.procs[name].ready_after_s for name in target.cluster.rasa_names())
    print(f"{target.name}: nginx + {rasa_servers} Rasa server(s), PostgreSQL, Redis lock store; "
          f"ready {slowest:.1f} s after start ({args.rows} catalog rows)", flush=True)  # fmt: skip
    return target


def start_targets(args: argparse.Namespace, graph_url: str, workdir: Path) -> list[Target]:
    if args.url:
        return [Target("url", args.url.rstrip("/"))]
    clusters: list[Target] = []
    try:
        for count in args.cluster:
            clusters.append(start_cluster(count, args, graph_url, workdir / f"cluster-{count}"))
    except BaseException:
        for target in clusters:
            target.stop()
        raise
    if clusters and not args.variant:
        return clusters
    specs = [parse_variant(v) for v in args.variant] or [("default", {})]
    stacks = []
    for name, env in specs:
        model = Path(env.pop("model")) if "model" in env else (args.model or cached_model())
        env = {**whatsapp_env(graph_url), **env}
        stacks.append((name, DefaultStack(workdir / name, model, env, rows=args.rows).start()))
    targets = []
    try:
        for name, stack in stacks:
            stack.wait_ready()
            print(f"{name}: ready {stack.rasa.ready_after_s:.1f} s after start ({stack.model.name}, "
                  f"{args.rows} catalog rows)", flush=True)  # fmt: skip
            targets.append(Target(name, stack.url, stack))
    except BaseException:
        for _, stack in stacks:
            stack.stop()
        for target in clusters:
            target.stop()
        raise
    return targets + clusters


def profile(pid: int, seconds: float, out: Path) -> subprocess.Popen:
    """py-spy on the Rasa process (all threads) while a level runs; see benchmarks/profile_report.py."""
    spy = Path(sys.executable).with_name("py-spy")
    args = [str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100",
            "--format", "raw", "--output", str(out), "--nonblocking"]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def cpu_probe(target: Target) -> Callable[[], dict[str, float]]:
    """CPU seconds so far of the target's Rasa and action servers (when started here), of this
    script (customers and the fake Graph API) and of the whole machine."""

    def probe() -> dict[str, float]:
        used = {role: sum(process_tree_cpu_s(pid) for pid in pids) for role, pids in target.servers().items()}
        used["driver"] = time.process_time()
        used["machine"] = machine_busy_s()
        return used

    return probe


async def drive(args: argparse.Namespace, fake: FakeGraphApi, targets: list[Target]) -> list[Level]:
    watch = ReplyWatch(fake, use_reads=not args.no_reads)
    rng = random.Random(args.seed)
    levels: list[Level] = []
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        for target in targets:  # warm-up: model caches, pools, the catalog vocabulary
            await run_level(http, f"{target.url}/webhooks/whatsapp/webhook", watch,
                            Level(target.name, 4, args.warmup), 0, rng)  # fmt: skip
        if watch.reads_seen == 0 and not args.no_reads:
            sys.exit(
                "no read receipt reached the fake Graph API: set WHATSAPP_MARK_READ=true or use --no-reads"
            )
        for round_no in range(args.rounds):
            for customers in args.customers:
                for target in targets:
                    spy = None
                    if args.profile and target.stack is not None:
                        out = args.profile_dir / f"{target.name}-{customers}-{round_no}.txt"
                        spy = profile(target.stack.rasa.popen.pid, args.warmup + args.seconds, out)
                    level = await run_level(
                        http, f"{target.url}/webhooks/whatsapp/webhook", watch,
                        Level(target.name, customers, args.seconds), args.warmup, rng, cpu_probe(target),
                        not args.long_chats,
                    )  # fmt: skip
                    if spy:
                        spy.wait(timeout=60)
                    print(level.line(), flush=True)
                    print(level.cpu_line(), flush=True)
                    levels.append(level)
    return levels


def summary(levels: list[Level]) -> None:
    print("\nsummary (median over rounds):")
    keys = dict.fromkeys((lv.variant, lv.customers) for lv in levels)
    for variant, customers in keys:
        same = [lv for lv in levels if (lv.variant, lv.customers) == (variant, customers)]
        tps = statistics.median(lv.turns_per_s for lv in same)
        p95 = statistics.median(lv.pct(95) for lv in same) * 1000
        p50 = statistics.median(lv.pct(50) for lv in same) * 1000
        print(f"  {variant:<14} {customers:>3} customers  {tps:6.1f} turns/s  p50 {p50:6.0f} ms  "
              f"p95 {p95:6.0f} ms  ({len(same)} round(s))")  # fmt: skip


async def main_async(args: argparse.Namespace) -> None:
    fake = FakeGraphApi(access_token=TOKEN, app_secret=SECRET)
    graph_url = await fake.start("127.0.0.1", args.graph_port)
    targets: list[Target] = []
    try:
        with tempfile.TemporaryDirectory(prefix="closed-loop-") as tmp:
            targets = await asyncio.to_thread(start_targets, args, graph_url, Path(tmp))
            try:
                levels = await drive(args, fake, targets)
            except BaseException:
                for target in targets:
                    print(target.logs(), file=sys.stderr)
                raise
            finally:
                for target in targets:
                    target.stop()
    finally:
        await fake.stop()
    summary(levels)
    print(f"messages the fake Graph API refused as Meta would: {len(fake.rejected)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", default="1,20,50", help="comma-separated numbers of customers")
    parser.add_argument("--seconds", type=float, default=30, help="measured window per level")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds before each window")
    parser.add_argument("--rounds", type=int, default=1, help="repeat every level (variants interleaved)")
    parser.add_argument("--variant", action="append", default=[],
                        help='"name:VAR=value ..." started side by side (default set-up each)')  # fmt: skip
    parser.add_argument("--long-chats", action="store_true",
                        help="each customer repeats its script in one conversation for the whole run "
                             "(before 2026-12-04: trackers grow to hundreds of turns)")  # fmt: skip
    parser.add_argument("--url", help="drive a running set-up instead (its base URL)")
    parser.add_argument(
        "--cluster", type=lambda v: [int(n) for n in v.split(",")], default=[],
        help="start the production shape with these numbers of Rasa servers, e.g. 1,2 (with --variant: both)",
    )  # fmt: skip
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
                        help="lock store of --cluster (keys prefixed per set-up)")  # fmt: skip
    parser.add_argument("--graph-port", type=int, default=0, help="port of the fake Graph API (0: free)")
    parser.add_argument("--rows", type=int, default=3000, help="sample catalog rows (default set-up)")
    parser.add_argument("--model", type=Path, help="trained model (default: the cached one)")
    parser.add_argument("--profile", action="store_true", help="py-spy every Rasa server per level")
    parser.add_argument("--profile-dir", type=Path, default=ROOT / "results" / "profiles")
    parser.add_argument(
        "--no-reads", action="store_true", help="no read receipts: the first reply after the POST counts"
    )
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    args.customers = [int(n) for n in args.customers.split(",")]
    if args.profile:
        args.profile_dir.mkdir(parents=True, exist_ok=True)
    print(f"closed loop, {args.seconds:g} s per level after {args.warmup:g} s warm-up; {load_average()}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
