"""Operations settings, read once from the environment (docs/production.md lists them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

_TRUE = {"1", "true", "yes", "on"}


class OpsConfigError(ValueError):
    """An operations setting has a value that cannot be used."""


@dataclass(frozen=True)
class OpsSettings:
    """Logging, metrics and readiness settings shared by every process."""

    log_format: str = "text"  # "json" in production: one JSON object per line
    log_level: str = "INFO"
    log_hash_key: str = field(default="", repr=False)  # keyed hash of conversation ids in logs
    metrics_enabled: bool = True
    ready_timeout_s: float = 2.0
    database_url: str = ""
    tracker_db_url: str = ""
    lock_store_url: str = ""
    action_health_url: str = ""
    tracker_retry_seconds: float = 30.0
    cached_action_validation: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OpsSettings:
        env = os.environ if env is None else env
        fmt = (env.get("LOG_FORMAT") or "text").lower()
        if fmt not in {"text", "json"}:
            raise OpsConfigError(f"LOG_FORMAT must be text or json, not {fmt!r}")
        action_url = env.get("ACTION_ENDPOINT_URL") or ""
        return cls(
            log_format=fmt,
            log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
            log_hash_key=env.get("LOG_HASH_KEY", ""),
            metrics_enabled=(env.get("METRICS_ENABLED") or "true").lower() in _TRUE,
            ready_timeout_s=_float(env, "READY_TIMEOUT_SECONDS", 2.0),
            database_url=env.get("DATABASE_URL", ""),
            tracker_db_url=env.get("TRACKER_DB_URL", ""),
            lock_store_url=env.get("LOCK_STORE_URL", ""),
            action_health_url=env.get("ACTION_HEALTH_URL") or _health_of(action_url),
            tracker_retry_seconds=_float(env, "TRACKER_RETRY_SECONDS", 30.0),
            cached_action_validation=(env.get("RASA_CACHED_ACTION_VALIDATION") or "true").lower() in _TRUE,
        )


def _health_of(action_webhook_url: str) -> str:
    """``http://h:5055/webhook`` -> ``http://h:5055/health`` (the SDK's liveness route)."""
    if not action_webhook_url:
        return ""
    base = action_webhook_url.rstrip("/")
    return (base[: -len("/webhook")] if base.endswith("/webhook") else base) + "/health"


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    try:
        return float(raw) if raw else default
    except ValueError:
        raise OpsConfigError(f"{name} must be a number, got {raw!r}") from None
