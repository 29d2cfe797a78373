"""Rasa server start-up: seconds from process start until ``/status`` answers with the model loaded.

Starts the Rasa server exactly as ``./scripts/run --servers`` does (``rasa run --enable-api``,
the project's credentials.yml, endpoints from ops/endpoints.py with a SQLite tracker store) on
a free port, polls ``GET /status`` every 50 ms until it answers 200 with the model's id (Rasa
loads the model before it listens), stops it, and repeats. Variants run interleaved
(A B A B …) so that they share the machine's load; each figure carries the load average::

    .venv/bin/python benchmarks/rasa_startup.py --runs 3
    .venv/bin/python benchmarks/rasa_startup.py --runs 3 \\
        --variant "shipped:RASA_FAST_LOAD=false" --variant fast:
    .venv/bin/python benchmarks/rasa_startup.py --runs 1 --profile     # py-spy, where start-up goes

Goal (issue 17): ready in < 20 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

from default_stack import RASA, cached_model, free_port, load_average  # noqa: E402


def parse_variant(spec: str) -> tuple[str, dict[str, str]]:
    name, _, rest = spec.partition(":")
    return name.strip() or "default", dict(item.split("=", 1) for item in shlex.split(rest))


def _spy(pid: int, out: Path) -> subprocess.Popen:
    """py-spy attached to the starting Rasa process (50 Hz, without pausing it)."""
    spy = str(Path(sys.executable).with_name("py-spy"))
    args = [spy, "record", "--pid", str(pid), "--rate", "50", "--nonblocking", "--format", "raw",
            "--output", str(out)]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def start_once(
    model: Path, workdir: Path, extra_env: dict[str, str], spy_out: Path | None, timeout_s: float = 1200
) -> float:
    """Seconds until /status answers 200 with a model id (raises with the log if it never does)."""
    from ops.endpoints import write_endpoints as write

    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        TRACKER_DB_URL=f"sqlite:///{workdir / 'tracker.db'}",
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra_env)
    endpoints = write(workdir / "endpoints.yml", env)
    port = free_port()
    args = [RASA, "run", "--enable-api", "--model", str(model), "--port", str(port),
            "--credentials", str(ROOT / "credentials.yml"), "--endpoints", str(endpoints)]  # fmt: skip
    log_path = workdir / "rasa.log"
    with log_path.open("wb") as log:
        started = time.monotonic()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    spy = _spy(proc.pid, spy_out) if spy_out else None
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"rasa exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/status", timeout=2)
                if answer.status_code == 200 and answer.json().get("model_id"):
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(f"not ready after {timeout_s:.0f} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.05)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its profile on Ctrl-C
            spy.wait(timeout=120)
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="start-ups per variant")
    parser.add_argument("--variant", action="append", default=[], help='"name:VAR=value ..." (repeatable)')
    parser.add_argument("--model", type=Path, help="trained model (default: the cached one)")
    parser.add_argument("--profile", action="store_true", help="py-spy each start-up")
    parser.add_argument("--profile-dir", type=Path, default=ROOT / "results" / "profiles")
    args = parser.parse_args()
    variants = [parse_variant(v) for v in args.variant] or [("default", {})]
    times: dict[str, list[float]] = {name: [] for name, _ in variants}
    if args.profile:
        args.profile_dir.mkdir(parents=True, exist_ok=True)
    for run in range(args.runs):
        for name, env in variants:
            env = dict(env)
            model = Path(env.pop("model")) if "model" in env else (args.model or cached_model())
            spy_out = args.profile_dir / f"startup-{name}-{run}.txt" if args.profile else None
            before = load_average()
            with tempfile.TemporaryDirectory(prefix="rasa-startup-") as tmp:
                seconds = start_once(model, Path(tmp), env, spy_out)
            times[name].append(seconds)
            print(f"{name:<12} run {run + 1}: ready in {seconds:5.1f} s  ({model.name}) "
                  f"[{before} → {load_average()}]", flush=True)  # fmt: skip
    print()
    for name, values in times.items():
        print(f"{name:<12} median {statistics.median(values):5.1f} s  min {min(values):5.1f} s  "
              f"max {max(values):5.1f} s  over {len(values)} start-up(s)")  # fmt: skip


if __name__ == "__main__":
    main()
