"""Write Rasa's endpoints file from environment variables: the one renderer for every start.

    .venv/bin/python -m ops.endpoints --out var/endpoints.yml
    .venv/bin/rasa run --endpoints var/endpoints.yml ...

Used by ./scripts/run, deploy/ (systemd, compose), ops/cluster.py and the tests. The SQL tracker
store is :class:`ops.tracker_store.RetryingSQLTrackerStore` (with a connect timeout on
PostgreSQL): a database outage delays turns instead of resetting conversations, and a
conversation's saved tracker is handed back to its next message instead of rebuilt.
``ACTION_SELECTIVE_DOMAIN=true`` sends the action server only the domain parts an action needs
(see docs/production.md, "Load").

Rasa expands ``${VAR}`` in endpoints.yml but refuses to start when one is unset, and has no
defaults syntax; so the file is generated instead. Variables (all optional):

==========================  ===================================  ======================================
variable                    default                              meaning
==========================  ===================================  ======================================
ACTION_ENDPOINT_URL         http://localhost:5055/webhook        the action server's webhook
TRACKER_DB_URL              sqlite:///var/tracker.db             conversations: any SQLAlchemy URL
                                                                 (``postgresql://user:pw@host:5432/rasa``)
                                                                 or ``memory`` (lost on restart)
LOCK_STORE_URL              (in-memory)                          ``redis://[:pw@]host:6379/1``: needed
                                                                 with several Rasa servers/workers
LOCK_STORE_KEY_PREFIX       (none)                               alphanumeric prefix of the lock keys
==========================  ===================================  ======================================

The file may contain passwords: it is written with mode 0600 and belongs under var/ (ignored by git).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from shopkernel.env import EnvReader, SettingsError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ACTION_URL = "http://localhost:5055/webhook"
DEFAULT_TRACKER_PATH = "var/tracker.db"
RETRYING_STORE = "ops.tracker_store.RetryingSQLTrackerStore"


def tracker_store(url: str | None, root: Path = ROOT) -> dict[str, Any] | None:
    """Rasa ``tracker_store`` section for a SQLAlchemy URL (None = Rasa's in-memory store)."""
    if url and url.strip().lower() == "memory":
        return None
    try:
        parsed = make_url(url or f"sqlite:///{root / DEFAULT_TRACKER_PATH}")
    except ArgumentError as exc:
        raise SettingsError(f"TRACKER_DB_URL is not a database URL: {exc}") from exc
    dialect = parsed.get_backend_name()
    if dialect == "sqlite":
        db = Path(parsed.database or DEFAULT_TRACKER_PATH)
        db = db if db.is_absolute() else root / db
        db.parent.mkdir(parents=True, exist_ok=True)
        return {"type": "SQL", "dialect": "sqlite", "db": str(db)}
    if dialect != "postgresql":
        raise SettingsError(f"TRACKER_DB_URL: use sqlite or postgresql, not {dialect}")
    section: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": parsed.host or "localhost",
        "port": parsed.port or 5432,
        "db": parsed.database or "rasa",
    }
    if parsed.username:
        section["username"] = parsed.username
    if parsed.password:
        section["password"] = parsed.password
    return section


def lock_store(url: str | None, key_prefix: str | None = None) -> dict[str, Any]:
    if not url:
        return {"type": "in_memory"}
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise SettingsError(f"LOCK_STORE_URL is not a redis:// URL: {exc}") from exc
    if parsed.get_backend_name() != "redis":
        raise SettingsError("LOCK_STORE_URL must start with redis://")
    section: dict[str, Any] = {
        "type": "redis",
        "url": parsed.host or "localhost",
        "port": parsed.port or 6379,
        "db": int(parsed.database or 1),
    }
    if parsed.password:
        section["password"] = parsed.password
    if key_prefix:
        if not key_prefix.isalnum():
            raise SettingsError("LOCK_STORE_KEY_PREFIX must be alphanumeric (Rasa's rule)")
        section["key_prefix"] = key_prefix
    return section


def render_endpoints(env: Mapping[str, str] | None = None, root: Path = ROOT) -> dict[str, Any]:
    """The endpoints every Rasa server of this project runs with, locally and in production."""
    read = EnvReader(env)
    action_endpoint: dict[str, Any] = {"url": read.url("ACTION_ENDPOINT_URL", DEFAULT_ACTION_URL)}
    if read.flag("ACTION_SELECTIVE_DOMAIN", False):
        action_endpoint["enable_selective_domain"] = True
    endpoints: dict[str, Any] = {
        "action_endpoint": action_endpoint,
        "lock_store": lock_store(read.text("LOCK_STORE_URL"), read.text("LOCK_STORE_KEY_PREFIX")),
    }
    tracker = tracker_store(read.text("TRACKER_DB_URL"), root)
    if tracker is not None:
        tracker["type"] = RETRYING_STORE
        if tracker["dialect"] == "postgresql":
            tracker.setdefault("query", {"connect_timeout": "5"})
        endpoints["tracker_store"] = tracker
    return endpoints


def write_endpoints(path: Path, env: Mapping[str, str] | None = None, root: Path = ROOT) -> Path:
    return write_private_yaml(path, render_endpoints(env, root), generator="ops/endpoints.py")


def write_private_yaml(path: Path, data: dict[str, Any], generator: str) -> Path:
    """Write generated YAML readable by the owner only: an endpoints file may hold passwords."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"# Generated by {generator}; do not edit.\n" + yaml.safe_dump(data, sort_keys=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m ops.endpoints --out PATH``: exit 2 with the variable's name on a bad value."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "endpoints.yml")
    args = parser.parse_args(argv)
    try:
        print(write_endpoints(args.out))
    except SettingsError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
