"""Prometheus metrics a shop can scrape (``GET /metrics`` on every process).

The connector (inside each Rasa process) counts messages in and out, duplicates, send failures
by Meta error code and the turn latency; the action server counts action calls, fallbacks and
leads. Names and the PromQL for the fallback rate are listed in docs/production.md.

With several Sanic workers per process set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
(prometheus_client's multiprocess mode); :func:`render` then aggregates the workers.
"""

from __future__ import annotations

import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

log = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0)
FALLBACK_ACTIONS = frozenset({"action_rephrase_fallback", "action_default_fallback"})

MESSAGES_IN = Counter(
    "partsbot_messages_in_total", "Customer messages accepted for a turn (after dedup)", ["channel", "type"]
)
DUPLICATES = Counter("partsbot_webhook_duplicates_total", "Redelivered or concurrent copies ignored")
MESSAGES_OUT = Counter(
    "partsbot_messages_out_total", "Messages the Graph API accepted for a customer", ["channel", "type"]
)
SEND_FAILURES = Counter(
    "partsbot_send_failures_total",
    "Sends that finally failed (source=send) or failed delivery receipts (source=status), by Meta code",
    ["code", "source"],
)
TURN_SECONDS = Histogram(
    "partsbot_turn_seconds",
    "From the webhook's message reaching the bot to the end of its Rasa turn (replies sent)",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
TURN_ERRORS = Counter("partsbot_turn_errors_total", "Turn attempts that raised; the message is tried again")
REDRIVEN = Counter(
    "partsbot_inbox_redriven_total", "Messages whose turn was taken over after its process died or failed"
)
ACTIONS = Counter("partsbot_actions_total", "Custom action calls on the action server", ["action", "status"])
ACTION_SECONDS = Histogram(
    "partsbot_action_seconds", "Custom action run time", ["action"], buckets=LATENCY_BUCKETS
)
FALLBACKS = Counter(
    "partsbot_fallbacks_total", "Turns that ended in a fallback (message not understood)", ["action"]
)
LEADS = Counter("partsbot_leads_created_total", "Leads written to the database", ["kind"])
LEADS_SPOOLED = Counter("partsbot_leads_spooled_total", "Leads kept on disk while the database was down")


def message_in(message_type: str, channel: str = "whatsapp") -> None:
    MESSAGES_IN.labels(channel, message_type or "unknown").inc()


def duplicate() -> None:
    DUPLICATES.inc()


def message_out(message_type: str, channel: str = "whatsapp") -> None:
    MESSAGES_OUT.labels(channel, message_type or "unknown").inc()


def send_failure(code: int | str | None, source: str = "send") -> None:
    SEND_FAILURES.labels(str(code) if code is not None else "none", source).inc()


def observe_turn(seconds: float, channel: str = "whatsapp") -> None:
    TURN_SECONDS.labels(channel).observe(seconds)


def turn_error() -> None:
    TURN_ERRORS.inc()


def redriven() -> None:
    REDRIVEN.inc()


def action_called(action: str, status: int, seconds: float) -> None:
    ACTIONS.labels(action or "unknown", str(status)).inc()
    ACTION_SECONDS.labels(action or "unknown").observe(seconds)
    if action in FALLBACK_ACTIONS:
        FALLBACKS.labels(action).inc()


def lead_created(kind: str) -> None:
    LEADS.labels(kind or "unknown").inc()


def lead_spooled() -> None:
    LEADS_SPOOLED.inc()


def render() -> tuple[bytes, str]:
    """The exposition text for this process (all workers in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


async def sanic_metrics(_request: object) -> object:
    """A Sanic handler for ``GET /metrics``."""
    from sanic import response

    body, content_type = render()
    return response.raw(body, content_type=content_type)
