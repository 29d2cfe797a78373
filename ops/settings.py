"""Operations settings, read once from the environment (docs/production.md lists them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shopkernel.db import default_database_url
from shopkernel.env import EnvReader


@dataclass(frozen=True)
class OpsSettings:
    """Logging, metrics and readiness settings shared by every process."""

    log_format: str = "text"  # "json" in production: one JSON object per line
    log_level: str = "INFO"
    log_hash_key: str = field(default="", repr=False)  # keyed hash of conversation ids in logs
    ready_timeout_s: float = 2.0
    database_url: str = field(default_factory=default_database_url)
    tracker_db_url: str = ""
    lock_store_url: str = ""
    action_health_url: str = ""
    tracker_retry_seconds: float = 30.0
    tracker_keep: int = 500  # saved trackers kept for the customer's next message (0: off)
    cached_action_validation: bool = True
    fast_model_load: bool = True
    ted_prediction_cache: bool = True
    shared_past_states: bool = True
    nlu_parse_cache: bool = True
    action_retry_seconds: float = 30.0  # how long a turn waits for any action server (ops/action_retry.py)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpsSettings:
        read = EnvReader(env)
        return cls(
            log_format=read.choice("LOG_FORMAT", "text", ("text", "json")),
            log_level=read.text("LOG_LEVEL", "INFO").upper(),
            log_hash_key=read.text("LOG_HASH_KEY"),
            ready_timeout_s=read.number("READY_TIMEOUT_SECONDS", 2.0, minimum=0.1),
            database_url=read.database_url(),
            tracker_db_url=read.text("TRACKER_DB_URL"),
            lock_store_url=read.text("LOCK_STORE_URL"),
            action_health_url=read.text("ACTION_HEALTH_URL") or _health_of(read.text("ACTION_ENDPOINT_URL")),
            tracker_retry_seconds=read.number("TRACKER_RETRY_SECONDS", 30.0, minimum=0),
            tracker_keep=int(read.number("TRACKER_KEEP", 500, minimum=0)),
            cached_action_validation=read.flag("RASA_CACHED_ACTION_VALIDATION", True),
            fast_model_load=read.flag("RASA_FAST_MODEL_LOAD", True),
            ted_prediction_cache=read.flag("RASA_TED_CACHE", True),
            shared_past_states=read.flag("RASA_SHARED_STATES", True),
            nlu_parse_cache=read.flag("RASA_NLU_CACHE", True),
            action_retry_seconds=read.number("ACTION_RETRY_SECONDS", 30.0, minimum=0),
        )


def _health_of(action_webhook_url: str) -> str:
    """``http://h:5055/webhook`` -> ``http://h:5055/health`` (the SDK's liveness route)."""
    if not action_webhook_url:
        return ""
    base = action_webhook_url.rstrip("/")
    return (base[: -len("/webhook")] if base.endswith("/webhook") else base) + "/health"
