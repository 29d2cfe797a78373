"""Latency and throughput of ``GET /api/v1/parts`` served by uvicorn in its own process.

Builds the 80,000-row sample catalog with the shop's tools (as ``catalog_loader sample --rows
80000`` + ``import``), migrated with Alembic, on SQLite and PostgreSQL; starts ``uvicorn
webservice.app:create_app --factory`` (``--workers N``) on a free port; then sends a fixed mix of
vehicle, free-text (English, Arabic, Arabizi with typos) and part-number queries from 1 and from 50
concurrent keep-alive connections and prints p50/p95/p99 and requests/s per level and per kind.

    .venv/bin/python benchmarks/api_benchmark.py                        # both DBs, 1 worker
    .venv/bin/python benchmarks/api_benchmark.py --workers 2 --backends sqlite --seconds 20
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test       # admin URL (throwaway DB)

Goals (issue 12): p95 < 30 ms at 1 client; >= 300 requests/s with p95 < 200 ms at 50 clients,
on 2 cores. The load generator is a small asyncio HTTP/1.1 client in this process: it shares the
machine's cores with the server, so the figures are a lower bound. ``uptime`` is printed before and
after each level: on a shared machine, write it next to every figure.

Search pages are cached for ``API_SEARCH_CACHE_SECONDS`` (30 s by default): a level that sends more
requests than ``--distinct`` queries answers the repeats from the cache. Run it with
``API_SEARCH_CACHE_SECONDS=0`` as well for the cost of computing every search; each level prints
how many distinct queries it sent.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent

import httpx  # noqa: E402
from search_benchmark import (  # noqa: E402
    ARABIC_MODELS,
    ARABIC_PARTS,
    ARABIZI_PARTS,
    TYPO_MODELS,
    Catalog,
    percentile,
    read_catalog,
)
from sqlalchemy import create_engine, text  # noqa: E402

from catalog.importer import import_catalog  # noqa: E402
from catalog.migrate import upgrade_database  # noqa: E402
from catalog.sample import write_sample  # noqa: E402
from ops import processes  # noqa: E402
from shopkernel.db import make_engine, make_session_factory  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ARABIC_VERBS = ["ابي", "ابغى", "عندكم", "أبي"]
ARABIZI_VERBS = ["abi", "abgha", "3indkom", "fi"]


# --------------------------------------------------------------------------- the query mix
def query_mix(cat: Catalog, count: int, seed: int = 12) -> list[tuple[str, str]]:
    """``(kind, path?query)``: what the website and partners send, deterministic."""
    r = random.Random(seed)
    out = []
    kinds = [("vehicle", 30), ("text_en", 20), ("text_ar", 20), ("text_arabizi", 15), ("number", 15)]
    for _ in range(count):
        kind = r.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        make, model, y0, y1 = r.choice(cat.vehicles)
        year = r.randint(y0, min(y1, 2026))
        category = r.choice(cat.categories)
        if kind == "vehicle":
            params = {"make": make, "model": model, "year": year, "part": category.lower()}
        elif kind == "text_en":
            params = {"q": f"{category.lower()} {model.lower()} {year}"}
        elif kind == "text_ar":
            part, car = ARABIC_PARTS.get(category, category), ARABIC_MODELS.get(model, model)
            params = {"q": f"{r.choice(ARABIC_VERBS)} {part} {car} {year}"}
        elif kind == "text_arabizi":
            part = ARABIZI_PARTS.get(category, category.lower())
            params = {"q": f"{r.choice(ARABIZI_VERBS)} {part} {TYPO_MODELS.get(model, model.lower())} {year}"}
        else:
            number = r.choice(cat.numbers)
            params = {"number": r.choice([number, number.replace("-", ""), number.replace("-", " ").lower()])}
        if r.random() < 0.2:
            params["in_stock"] = "true"
        out.append((kind, "/api/v1/parts?" + urlencode(params)))
    return out


# --------------------------------------------------------------------------- a light HTTP client
class Connection:
    """One keep-alive HTTP/1.1 connection: a few microseconds per request of client CPU."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])


async def load(host: str, port: int, mix: list[tuple[str, str]], clients: int, seconds: float) -> dict:
    """Each client sends the next query of the mix (from ``start``) as soon as it has an answer."""
    deadline = time.perf_counter() + seconds
    latencies: dict[str, list[float]] = defaultdict(list)
    errors = 0
    position = 0
    sent: set[str] = set()

    async def client() -> None:
        nonlocal errors, position
        conn = Connection(host, port)
        while time.perf_counter() < deadline:
            kind, path = mix[position % len(mix)]
            position += 1
            sent.add(path)
            started = time.perf_counter()
            status = await conn.get(path)
            latencies[kind].append((time.perf_counter() - started) * 1000)
            if status != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    every = [v for values in latencies.values() for v in values]
    rps = len(every) / elapsed
    return {"per_kind": latencies, "all": every, "rps": rps, "errors": errors, "distinct": len(sent)}


# --------------------------------------------------------------------------- databases and server
def prepare(url: str, csv_path: Path) -> None:
    upgrade_database(url)
    engine = make_engine(url)
    import_catalog(engine, csv_path)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def start_server(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "API_RATE_LIMIT": "off", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    env.pop("REDIS_URL", None)
    args = [sys.executable, "-m", "uvicorn", "webservice.app:create_app", "--factory", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--workers", str(workers), "--ws", "none", "--log-level", "warning"]
    args += ["--no-access-log"]
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"uvicorn exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.terminate()
    raise SystemExit("uvicorn did not become ready in 120 s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU of a process and all its descendants (uvicorn's workers), from /proc.

    CPU per request does not depend on how busy the machine is, so it projects what 2 idle cores
    would serve (2 / cpu-per-request) even when the latency figures are swamped by other jobs."""
    return processes.tree_cpu_seconds(root)


def database_cpu_seconds() -> float:
    """CPU of this machine's PostgreSQL (the postmaster and every backend), from /proc.

    The server's CPU alone hides the database's share of a search; 0 where PostgreSQL does not
    run here (or for SQLite, which runs inside the server's processes)."""
    table = processes.process_table()
    names = {}
    for pid in table:
        try:
            names[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
    postmasters = [
        pid for pid, name in names.items() if name == "postgres" and names.get(table[pid].parent) != name
    ]
    return sum(processes.tree_cpu_seconds(pid) for pid in postmasters)


def uptime() -> str:
    return (
        subprocess.run(["uptime"], capture_output=True, text=True)
        .stdout.strip()
        .split("load average:")[-1]
        .strip()
    )


def report(
    label: str, clients: int, result: dict, before: str, after: str, cpu_s: float, db_cpu_s: float
) -> None:
    every = result["all"]
    cpu_ms = cpu_s * 1000 / max(1, len(every))
    db_ms = db_cpu_s * 1000 / max(1, len(every))
    print(
        f"  {label:<10} {clients:>3} clients: {len(every):>6} req, {result['rps']:7.1f} req/s, "
        f"p50 {percentile(every, 50):6.1f} ms, p95 {percentile(every, 95):6.1f} ms, "
        f"p99 {percentile(every, 99):6.1f} ms, errors {result['errors']}   load {before} -> {after}"
    )
    print(f"      {result['distinct']} distinct queries in {len(every)} requests")
    print(
        f"      server CPU {cpu_ms:.1f} ms/request -> about {2000 / cpu_ms:.0f} req/s on 2 idle cores"
        + (f"; PostgreSQL CPU {db_ms:.1f} ms/request" if label == "postgresql" else "")
        if cpu_ms
        else "      server CPU not measured"
    )
    for kind, values in sorted(result["per_kind"].items()):
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"      {kind:<13} n={len(values):>5}  p50 {p50:6.1f}  p95 {p95:6.1f}")


def bench(label: str, url: str, args: argparse.Namespace, workdir: Path) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        cat = read_catalog(session)
    engine.dispose()
    mix = query_mix(cat, args.distinct)
    # Warm-up queries the measured mix never sends: on a fast machine a warm-up over the mix
    # itself would leave every page in the search cache and measure only the cache.
    measured = {path for _, path in mix}
    warmup = [item for item in query_mix(cat, 400, seed=99) if item[1] not in measured]
    for clients in args.clients:
        # a fresh server per level: no level is answered from pages another level left in the cache
        port = free_port()
        server = start_server(url, port, args.workers, workdir / f"uvicorn-{label}-{clients}.log")
        try:
            asyncio.run(load("127.0.0.1", port, warmup, 4, 3.0))  # warm pools and the vocabulary
            before, cpu_before, db_before = uptime(), tree_cpu_seconds(server.pid), database_cpu_seconds()
            result = asyncio.run(load("127.0.0.1", port, mix, clients, args.seconds))
            cpu = tree_cpu_seconds(server.pid) - cpu_before
            report(label, clients, result, before, uptime(), cpu, database_cpu_seconds() - db_before)
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--clients", default="1,50", help="concurrency levels, e.g. 1,10,50")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each level")
    parser.add_argument(
        "--distinct", type=int, default=2000, help="distinct queries in the mix (it repeats after that)"
    )
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]
    print(f"api benchmark: {args.rows:,} CSV rows, uvicorn --workers {args.workers}, {os.cpu_count()} cores, "
          f"load average {uptime()}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="api-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = write_sample(workdir / "sample.csv", args.rows)
        backends = args.backends.split(",")
        if "sqlite" in backends:
            url = f"sqlite:///{workdir / 'catalog.db'}"
            started = time.perf_counter()
            prepare(url, csv_path)
            print(f"SQLite catalog ready in {time.perf_counter() - started:.0f} s")
            bench("sqlite", url, args, workdir)
        if "postgresql" in backends:
            name = f"api_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
            try:
                started = time.perf_counter()
                prepare(url, csv_path)
                print(f"PostgreSQL catalog ready in {time.perf_counter() - started:.0f} s")
                bench("postgresql", url, args, workdir)
            finally:
                with admin.connect() as conn:
                    stop = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
                    conn.execute(text(stop), {"n": name})
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
                admin.dispose()


if __name__ == "__main__":
    main()
