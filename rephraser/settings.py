"""Rephraser configuration, read once from the environment.

Everything here has a safe default; with ``OPENAI_API_KEY`` unset the rephraser is simply
off and the assistant uses its canned clarification. A malformed value raises
:class:`shopkernel.env.SettingsError` naming the variable, instead of a bare
``ValueError`` from deep inside a turn.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shopkernel.db import default_database_url
from shopkernel.env import EnvReader


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
        read = EnvReader(env)
        d = cls()
        return cls(
            api_key=read.text("OPENAI_API_KEY") or None,
            base_url=read.url("OPENAI_BASE_URL") or None,
            model=read.text("OPENAI_MODEL", d.model),
            timeout=read.number("OPENAI_TIMEOUT", d.timeout, minimum=0.1),
            json_mode=read.flag("OPENAI_JSON_MODE", d.json_mode),
            rate_per_customer=read.integer("REPHRASE_RATE_PER_CUSTOMER", d.rate_per_customer, minimum=0),
            rate_global=read.integer("REPHRASE_RATE_GLOBAL", d.rate_global, minimum=0),
            daily_token_budget=read.integer("REPHRASE_DAILY_TOKEN_BUDGET", d.daily_token_budget, minimum=0),
            min_confidence=read.number("REPHRASE_MIN_CONFIDENCE", d.min_confidence, 0.0, 1.0),
            rephrase_replies=read.flag("REPHRASE_REPLIES", d.rephrase_replies),
            max_input_chars=read.integer("REPHRASE_MAX_INPUT_CHARS", d.max_input_chars, minimum=20),
            max_output_chars=read.integer("REPHRASE_MAX_OUTPUT_CHARS", d.max_output_chars, minimum=20),
            max_output_tokens=read.integer("REPHRASE_MAX_OUTPUT_TOKENS", d.max_output_tokens, minimum=16),
            rasa_url=read.url("RASA_URL", d.rasa_url),
            rasa_token=read.text("RASA_AUTH_TOKEN") or None,
            rasa_timeout=read.number("RASA_PARSE_TIMEOUT", d.rasa_timeout, minimum=0.1),
            database_url=read.database_url(),
        )
