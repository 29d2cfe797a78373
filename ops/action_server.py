"""The rasa-sdk action server plus ``/ready``, ``/metrics``, per-action metrics and JSON logs.

A drop-in for ``python -m rasa_sdk``: same flags, same ``ACTION_SERVER_SANIC_WORKERS``::

    python -m ops.action_server --actions actions --port 5055

Adds ``GET /ready`` (the catalog database answers ``SELECT 1``: 200, else 503),
``GET /metrics`` (Prometheus), a counter and histogram per action name (fallback actions
feed ``partsbot_fallbacks_total``), and binds each call's sender id to the log context.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import zlib
from typing import Any

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from ops import logging as ops_logging
from ops import metrics
from ops.health import run_checks, sql_check
from ops.settings import OpsSettings

log = logging.getLogger(__name__)


def _action_call(request: Request) -> dict[str, Any]:
    """The JSON body of a ``/webhook`` call ({} if unreadable: the SDK answers that itself)."""
    try:
        raw = request.body or b""
        if request.headers.get("Content-Encoding") == "deflate":
            raw = zlib.decompress(raw)
        data = json.loads(raw)
        return data if isinstance(data, dict) else {}
    except (ValueError, zlib.error):
        return {}


def add_ops_routes(app: Sanic, settings: OpsSettings) -> Sanic:
    """Readiness, metrics and per-call instrumentation on a rasa-sdk app."""

    async def ready(_: Request) -> HTTPResponse:
        checks = (
            {"database": sql_check(settings.database_url, settings.ready_timeout_s)}
            if (settings.database_url)
            else {}
        )
        readiness = await run_checks(checks, settings.ready_timeout_s)
        return response.json(readiness.to_dict(), status=readiness.status)

    app.add_route(ready, "/ready", methods=["GET"])
    app.add_route(metrics.sanic_metrics, "/metrics", methods=["GET"])

    @app.middleware("request")
    async def before(request: Request) -> None:
        if request.path != "/webhook":
            return
        call = _action_call(request)
        request.ctx.action = str(call.get("next_action") or "unknown")
        request.ctx.started = time.perf_counter()
        ops_logging.bind_conversation(call.get("sender_id"))

    @app.middleware("response")
    async def after(request: Request, resp: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", None)
        if started is not None:
            metrics.action_called(request.ctx.action, resp.status, time.perf_counter() - started)

    return app


def main(argv: list[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    settings = OpsSettings.from_env()
    ops_logging.configure(settings)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    app = add_ops_routes(
        create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload), settings
    )
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    log.info("action server on %s:%s (actions: %s)", host, args.port, args.actions)
    ssl = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    app.run(host, args.port, ssl=ssl, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    sys.exit(main())
