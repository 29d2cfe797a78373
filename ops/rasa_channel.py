"""Health, readiness and metrics routes inside a Rasa server, as a Rasa input channel.

Rasa offers no hook to add routes except channels, so register this one in the credentials
file (deploy/credentials.yml does)::

    ops.rasa_channel.OpsChannel:

and get ``GET /webhooks/ops/health`` (the process answers), ``GET /webhooks/ops/ready``
(model loaded, tracker store, lock store, database and action server all
reachable: 200, else 503 with the failing check) and ``GET /webhooks/ops/metrics``.
It never receives customer messages. It also installs the measured speed-ups of
ops/rasa_speedups.py (action-result validation, model load) and the process's log handler
(:func:`ops.logging.configure`: JSON lines with ``LOG_FORMAT=json``, phone numbers masked).
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from ops import logging as ops_logging
from ops import metrics
from ops.action_retry import install_action_retry
from ops.health import Check, NotReady, http_check, redis_check, run_checks, sql_check
from ops.rasa_speedups import (
    install_cached_action_validation,
    install_fast_model_load,
    install_nlu_parse_cache,
    install_shared_past_states,
    install_ted_prediction_cache,
)
from ops.settings import OpsSettings


class OpsChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "ops"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> OpsChannel:
        settings = OpsSettings.from_env()
        # Rasa installs coloredlogs after reading --logging-config-file, replacing any handler
        # configured there; channels are built later, so this is where JSON logs can take over.
        ops_logging.configure(settings)
        if settings.cached_action_validation:
            install_cached_action_validation()
        if settings.fast_model_load:  # channels are built before Rasa loads the model
            install_fast_model_load()
        if settings.ted_prediction_cache:
            install_ted_prediction_cache()
        if settings.shared_past_states:
            install_shared_past_states()
        if settings.nlu_parse_cache:
            install_nlu_parse_cache()
        install_action_retry(settings.action_retry_seconds)
        return cls(settings)

    def __init__(self, settings: OpsSettings) -> None:
        self.settings = settings

    def blueprint(self, on_new_message: Any) -> Blueprint:
        bp = Blueprint(f"ops_{id(self)}", __name__)

        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def ready(request: Request) -> HTTPResponse:
            readiness = await run_checks(self.checks(request.app), self.settings.ready_timeout_s)
            return response.json(readiness.to_dict(), status=readiness.status)

        bp.add_route(health, "/health", methods=["GET"])
        bp.add_route(ready, "/ready", methods=["GET"])
        bp.add_route(metrics.sanic_metrics, "/metrics", methods=["GET"])
        return bp

    def checks(self, app: Any) -> dict[str, Check]:
        """What this Rasa process depends on, given its settings."""
        s, timeout = self.settings, self.settings.ready_timeout_s
        checks: dict[str, Check] = {"model": _model_check(app), "tracker_store": _tracker_check(app, s)}
        if s.tracker_db_url.startswith("postgresql"):
            checks["tracker_db"] = sql_check(s.tracker_db_url, timeout)
        if s.lock_store_url:
            checks["lock_store"] = redis_check(s.lock_store_url, timeout)
        if s.database_url:
            checks["database"] = sql_check(s.database_url, timeout)
        if s.action_health_url:
            checks["action_server"] = http_check(s.action_health_url, timeout)
        return checks


def _model_check(app: Any) -> Check:
    async def check() -> str:
        agent = getattr(app.ctx, "agent", None)
        if agent is None or not agent.is_ready():
            raise NotReady("no model loaded yet")
        return str(agent.model_id or "loaded")

    return check


def _tracker_check(app: Any, settings: OpsSettings) -> Check:
    """The store Rasa really uses: an unknown ``type:`` silently becomes the in-memory one."""

    async def check() -> str:
        agent = getattr(app.ctx, "agent", None)
        store = getattr(agent, "tracker_store", None)
        inner = getattr(store, "_tracker_store", store)
        kind = type(inner).__name__
        if settings.tracker_db_url and settings.tracker_db_url != "memory" and kind == "InMemoryTrackerStore":
            raise NotReady("TRACKER_DB_URL is set but Rasa is using the in-memory tracker store")
        return kind

    return check
