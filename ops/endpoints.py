"""Rasa endpoints for production: scripts/render_endpoints.py plus the resilient tracker store.

Same environment variables as the run command (TRACKER_DB_URL, LOCK_STORE_URL,
ACTION_ENDPOINT_URL, LOCK_STORE_KEY_PREFIX); for a PostgreSQL tracker store the type becomes
:class:`ops.tracker_store.RetryingSQLTrackerStore` with a connect timeout, so a database outage
delays turns instead of resetting conversations. ``ACTION_SELECTIVE_DOMAIN=true`` sends the
action server only the domain parts an action needs (see docs/production.md, "Load").

    python -m ops.endpoints --out var/endpoints.yml
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.render_endpoints import render_endpoints, run_cli, write_private_yaml  # noqa: E402

RETRYING_STORE = "ops.tracker_store.RetryingSQLTrackerStore"
_TRUE = {"1", "true", "yes", "on"}


def production_endpoints(env: Mapping[str, str] | None = None, root: Path = ROOT) -> dict[str, Any]:
    env = os.environ if env is None else env
    endpoints = render_endpoints(env, root)
    tracker = endpoints.get("tracker_store")
    if tracker and tracker.get("dialect") == "postgresql":
        tracker["type"] = RETRYING_STORE
        tracker.setdefault("query", {"connect_timeout": "5"})
    if (env.get("ACTION_SELECTIVE_DOMAIN") or "").lower() in _TRUE:
        endpoints["action_endpoint"]["enable_selective_domain"] = True
    return endpoints


def write(path: Path, env: Mapping[str, str] | None = None) -> Path:
    return write_private_yaml(path, production_endpoints(env), generator="ops/endpoints.py")


def main(argv: list[str] | None = None) -> int:
    return run_cli(write, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
