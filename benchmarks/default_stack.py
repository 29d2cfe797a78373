"""The default set-up of ``./scripts/run --servers``, started in a temp folder for a benchmark.

One action server (``python -m ops.action_server``), one Rasa server (``rasa run --enable-api`` with the
project's credentials.yml: REST, WhatsApp, ops channel), a SQLite catalog and a SQLite tracker
store, on free ports. Extra environment (e.g. ``SANIC_WORKERS=2 LOCK_STORE_URL=redis://…``)
passes through to both processes and to the endpoints renderer (ops/endpoints.py), so one
benchmark can start several variants side by side and drive them in turn (A B A B …).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ops.cluster import PYTHON, RASA, ROOT, free_port
from ops.cluster import ClusterError as StackError
from ops.cluster import Proc as Process

__all__ = ["RASA", "DefaultStack", "Process", "StackError", "cached_model", "free_port", "load_average"]


def sample_catalog(path: Path, rows: int, cache_dir: Path | None = None) -> str:
    """A SQLite catalog of ``rows`` generated rows at ``path`` (built once per size, then copied)."""
    from catalog.migrate import upgrade_database

    cache_dir = cache_dir or ROOT / ".cache" / "catalogs"
    template = cache_dir / f"bench-sample-{rows}.db"
    if not template.exists():
        from catalog.importer import import_catalog
        from catalog.sample import write_sample
        from shopkernel.db import make_engine

        cache_dir.mkdir(parents=True, exist_ok=True)
        building = template.with_suffix(f".{os.getpid()}.tmp")
        url = f"sqlite:///{building}"
        upgrade_database(url)
        engine = make_engine(url)
        try:
            import_catalog(engine, write_sample(building.with_suffix(".csv"), rows))
        finally:
            engine.dispose()
        building.with_suffix(".csv").unlink(missing_ok=True)
        building.replace(template)
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    upgrade_database(url)  # a template from an older schema catches up
    return url


@dataclass
class DefaultStack:
    """Action server + Rasa server as ``./scripts/run --servers`` starts them."""

    workdir: Path
    model: Path
    env: Mapping[str, str] = field(default_factory=dict)
    rows: int = 3000
    procs: list[Process] = field(default_factory=list)
    rasa_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def rasa(self) -> Process:
        return self.procs[-1]

    def start(self) -> DefaultStack:
        """Launch both processes (returns at once; :meth:`wait_ready` waits)."""
        from ops.endpoints import write_endpoints as write

        self.workdir.mkdir(parents=True, exist_ok=True)
        catalog_url = sample_catalog(self.workdir / "catalog.db", self.rows)
        action_port, self.rasa_port = free_port(), free_port()
        env = dict(os.environ)
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            PYTHONDONTWRITEBYTECODE="1",
            TF_CPP_MIN_LOG_LEVEL="2",
            DATABASE_URL=catalog_url,
            TRACKER_DB_URL=f"sqlite:///{self.workdir / 'tracker.db'}",
            ACTION_ENDPOINT_URL=f"http://127.0.0.1:{action_port}/webhook",
            LEAD_SPOOL_PATH=str(self.workdir / "spool" / "leads.jsonl"),
            OPENAI_API_KEY="",
        )
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        env.update(self.env)
        endpoints = write(self.workdir / "endpoints.yml", env)
        self.procs = [
            Process(
                "action server",
                [PYTHON, "-m", "ops.action_server", "--actions", "actions", "--port", str(action_port)],
                env, self.workdir / "actions.log", f"http://127.0.0.1:{action_port}/health",
            ).launch(),
            Process(
                "rasa server",
                [RASA, "run", "--enable-api", "--model", str(self.model), "--port", str(self.rasa_port),
                 "--credentials", str(ROOT / "credentials.yml"), "--endpoints", str(endpoints)],
                env, self.workdir / "rasa.log", f"http://127.0.0.1:{self.rasa_port}/status",
            ).launch(),
        ]  # fmt: skip
        return self

    def wait_ready(self, timeout_s: float = 900.0) -> DefaultStack:
        try:
            for proc in self.procs:
                proc.wait_ready(timeout_s)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()

    def __enter__(self) -> DefaultStack:
        return self.start().wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log_tail()}" for p in self.procs)


def cached_model() -> Path:
    """The trained model for the current data, else the newest cached one."""
    from ops.model import CACHE, model_path

    model = model_path()
    if model.exists():
        return model
    cached = sorted(CACHE.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not cached:
        sys.exit("no trained model; run .venv/bin/python -m ops.model")
    return cached[-1]


def load_average() -> str:
    """The 1/5/15-minute load average, written next to every figure (the machine is shared)."""
    try:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load ?"


def process_tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and every process under it (Sanic
    workers, TensorFlow's helpers), read from /proc; 0.0 where /proc is missing."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        used[child] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent and child not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(used.get(p, 0.0) for p in tree)


def machine_busy_s() -> float:
    """CPU seconds all cores spent busy since boot (/proc/stat: everything but idle and iowait)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")
