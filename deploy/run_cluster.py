"""Run N Rasa servers, M action servers and the web service on one machine, behind nginx.

    .venv/bin/python deploy/run_cluster.py --rasa 2 --actions 2

nginx runs deploy/nginx.conf, the production configuration, rendered for local ports
(ops/nginx.py). Reads the same environment as scripts/run (and .env): DATABASE_URL,
TRACKER_DB_URL, LOCK_STORE_URL, RASA_AUTH_TOKEN, WHATSAPP_*, SANIC_WORKERS,
ACTION_SERVER_SANIC_WORKERS. With more than one Rasa server it refuses to start unless the
tracker store and the database are PostgreSQL and the lock store is Redis (docs/production.md).

What the internet would see, on http://127.0.0.1:5005: Meta's webhook
(/webhooks/whatsapp/webhook), the public API (/api/) and the console (/console). Rasa's HTTP
API listens on 127.0.0.1:5101… only and needs RASA_AUTH_TOKEN (a random one if unset).
A child that dies is started again (like systemd's Restart=always), with a growing pause.
Ctrl-C stops everything. Logs: var/cluster/logs/<name>.log.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ops.cluster import Cluster, ClusterError, ClusterSpec

ROOT = Path(__file__).resolve().parents[1]


class ConfigError(ValueError):
    """The environment cannot run several instances safely."""


def check_shared_state(env: dict[str, str], rasa_instances: int) -> None:
    """Several Rasa servers (or Sanic workers) need shared stores, or turns get lost or reordered."""
    workers = int(env.get("SANIC_WORKERS") or 1)
    if rasa_instances * workers <= 1:
        return
    problems = []
    if not (env.get("TRACKER_DB_URL") or "").startswith("postgresql"):
        problems.append("TRACKER_DB_URL=postgresql://… (conversations shared by every instance)")
    if not (env.get("LOCK_STORE_URL") or "").startswith("redis"):
        problems.append("LOCK_STORE_URL=redis://…/1 (one customer's turns in order across instances)")
    if not (env.get("DATABASE_URL") or "").startswith("postgresql"):
        problems.append("DATABASE_URL=postgresql://… (catalog and leads shared, no SQLite locking)")
    if problems:
        raise ConfigError("several Rasa processes need:\n  " + "\n  ".join(problems))


def load_dotenv(path: Path) -> None:
    """KEY=value lines of .env, as scripts/run does with `set -a; . ./.env`; the real env wins."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            os.environ.setdefault(key.strip().removeprefix("export "), value.strip().strip("'\""))


def supervise(cluster: Cluster) -> None:
    """Restart children that die, with a pause that grows for one that keeps dying."""
    pauses: dict[str, float] = {}
    while True:
        time.sleep(1)
        for proc in cluster.procs.values():
            if proc.alive:
                continue
            pause = min(pauses.get(proc.name, 0.5) * 2, 30)
            pauses[proc.name] = pause
            print(f"{proc.name} exited ({proc.popen.returncode}); restarting in {pause:.0f} s", flush=True)
            time.sleep(pause)
            proc.restarts += 1
            proc.launch()


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    """systemd/kill stop the cluster the same way as Ctrl-C: every child by its pid."""
    raise KeyboardInterrupt


def warn_if_catalog_empty() -> None:
    """scripts/run imports a generated sample here; a shop's cluster must not, so it only warns."""
    parts = subprocess.run(
        [sys.executable, "-m", "catalog_loader", "stats", "--parts-only"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if parts.returncode == 0 and parts.stdout.strip() == "0":
        print("Warning: the catalog is empty; import it: python -m catalog_loader import <catalog.csv>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rasa", type=int, default=2, help="Rasa servers (default 2)")
    parser.add_argument("--actions", type=int, default=1, help="action servers (default 1)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", 5055)))
    parser.add_argument("--rasa-base-port", type=int, default=5101, help="rasa-1 listens here, rasa-2 +1…")
    parser.add_argument("--action-base-port", type=int, default=5151, help="actions-1 listens here…")
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("SHOP_API_PORT", 8000)))
    parser.add_argument("--no-web", action="store_true", help="do not start the web service")
    parser.add_argument("--model", type=Path, help="default: the cached model for the current data")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "cluster")
    parser.add_argument("--json-logs", action="store_true", help="JSON log lines (LOG_FORMAT=json)")
    args = parser.parse_args(argv)

    load_dotenv(ROOT / ".env")
    if args.json_logs:
        os.environ["LOG_FORMAT"] = "json"
    try:
        check_shared_state(dict(os.environ), args.rasa)
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    model = args.model or Path(
        subprocess.check_output(
            [sys.executable, "-m", "ops.model", "--print-path"], cwd=ROOT, text=True
        ).strip()
    )
    if not model.exists():
        print(
            f"Error: no trained model at {model}; run .venv/bin/python -m ops.model",
            file=sys.stderr,
        )
        return 2
    subprocess.run(
        [sys.executable, "-m", "catalog_loader", "init-db"], cwd=ROOT, check=True
    )  # as scripts/run
    warn_if_catalog_empty()

    spec = ClusterSpec(
        model=model,
        workdir=args.workdir,
        rasa_instances=args.rasa,
        action_servers=args.actions,
        front_port=args.port,
        action_port=args.action_port,
        rasa_base_port=args.rasa_base_port,
        action_base_port=args.action_base_port,
        web_port=None if args.no_web else args.web_port,
    )
    cluster = Cluster(spec)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        print(
            f"starting {args.rasa} Rasa and {args.actions} action server(s); logs in {args.workdir / 'logs'}"
        )
        cluster.start()
        print(
            f"ready: {cluster.front_url}/webhooks/whatsapp/webhook, /api/, /console "
            f"(Rasa API on {cluster.rasa_url(0)} with RASA_AUTH_TOKEN)",
            flush=True,
        )
        supervise(cluster)
    except ClusterError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
