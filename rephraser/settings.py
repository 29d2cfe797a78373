"""Rephraser configuration, read once from the environment.

Everything here has a safe default; with ``OPENAI_API_KEY`` unset the rephraser is simply
off and the assistant uses its canned clarification. A malformed value raises
:class:`~rephraser.errors.RephraserConfigError` naming the variable, instead of a bare
``ValueError`` from deep inside a turn.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from catalog.settings import default_database_url
from rephraser.errors import RephraserConfigError

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class RephraserSettings:
    """All knobs of the fallback rephraser (env variable names in the field comments)."""

    api_key: str | None = field(default=None, repr=False)  # OPENAI_API_KEY; never logged
    base_url: str | None = None  # OPENAI_BASE_URL (self-hosted OpenAI-compatible servers)
    model: str = "gpt-4o-mini"  # OPENAI_MODEL
    timeout: float = 3.0  # OPENAI_TIMEOUT, seconds for the whole call
    json_mode: bool = True  # OPENAI_JSON_MODE: send response_format=json_object
    rate_per_customer: int = 10  # REPHRASE_RATE_PER_CUSTOMER, calls per customer per hour
    rate_global: int = 30  # REPHRASE_RATE_GLOBAL, calls per minute for the whole shop
    daily_token_budget: int = 100_000  # REPHRASE_DAILY_TOKEN_BUDGET, tokens per UTC day
    min_confidence: float = 0.7  # REPHRASE_MIN_CONFIDENCE, intent confidence to accept a re-parse
    rephrase_replies: bool = False  # REPHRASE_REPLIES: soften canned replies (off by default)
    max_input_chars: int = 600  # REPHRASE_MAX_INPUT_CHARS: longer messages are cut before sending
    max_output_chars: int = 300  # REPHRASE_MAX_OUTPUT_CHARS: longer rephrasings are rejected
    max_output_tokens: int = 150  # REPHRASE_MAX_OUTPUT_TOKENS
    rasa_url: str = "http://localhost:5005"  # RASA_URL (server started with --enable-api)
    rasa_token: str | None = field(default=None, repr=False)  # RASA_AUTH_TOKEN (--auth-token)
    rasa_timeout: float = 3.0  # RASA_PARSE_TIMEOUT, seconds
    database_url: str = field(default_factory=default_database_url)  # DATABASE_URL (usage table)

    @property
    def enabled(self) -> bool:
        """The model is only ever called with a key configured."""
        return bool(self.api_key)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RephraserSettings:
        env = os.environ if env is None else env
        d = cls()
        return cls(
            api_key=(env.get("OPENAI_API_KEY") or "").strip() or None,
            base_url=(env.get("OPENAI_BASE_URL") or "").strip() or None,
            model=(env.get("OPENAI_MODEL") or "").strip() or d.model,
            timeout=_read(env, "OPENAI_TIMEOUT", float, d.timeout, minimum=0.1),
            json_mode=_flag(env, "OPENAI_JSON_MODE", d.json_mode),
            rate_per_customer=_read(env, "REPHRASE_RATE_PER_CUSTOMER", int, d.rate_per_customer, minimum=0),
            rate_global=_read(env, "REPHRASE_RATE_GLOBAL", int, d.rate_global, minimum=0),
            daily_token_budget=_read(
                env, "REPHRASE_DAILY_TOKEN_BUDGET", int, d.daily_token_budget, minimum=0
            ),
            min_confidence=_read(env, "REPHRASE_MIN_CONFIDENCE", float, d.min_confidence, 0.0, 1.0),
            rephrase_replies=_flag(env, "REPHRASE_REPLIES", d.rephrase_replies),
            max_input_chars=_read(env, "REPHRASE_MAX_INPUT_CHARS", int, d.max_input_chars, minimum=20),
            max_output_chars=_read(env, "REPHRASE_MAX_OUTPUT_CHARS", int, d.max_output_chars, minimum=20),
            max_output_tokens=_read(env, "REPHRASE_MAX_OUTPUT_TOKENS", int, d.max_output_tokens, minimum=16),
            rasa_url=((env.get("RASA_URL") or "").strip() or d.rasa_url).rstrip("/"),
            rasa_token=(env.get("RASA_AUTH_TOKEN") or "").strip() or None,
            rasa_timeout=_read(env, "RASA_PARSE_TIMEOUT", float, d.rasa_timeout, minimum=0.1),
            database_url=(env.get("DATABASE_URL") or "").strip() or default_database_url(),
        )


def _read(
    env: Mapping[str, str],
    name: str,
    kind: Callable[[str], T],
    default: T,
    minimum: float | None = None,
    maximum: float | None = None,
) -> T:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise RephraserConfigError(f"{name}={raw!r} is not a valid {kind.__name__}") from None
    if minimum is not None and value < minimum:  # type: ignore[operator]
        raise RephraserConfigError(f"{name}={raw!r} must be at least {minimum}")
    if maximum is not None and value > maximum:  # type: ignore[operator]
        raise RephraserConfigError(f"{name}={raw!r} must be at most {maximum}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RephraserConfigError(f"{name}={raw!r} is not a yes/no value (use 1 or 0)")
