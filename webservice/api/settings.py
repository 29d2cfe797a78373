"""Settings of the public API, read once from the environment (README's configuration table)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from catalog.chassis_lookup import LookupSettings
from catalog.links import part_url_template
from shopkernel.env import EnvReader, SettingsError

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$", re.I)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


@dataclass(frozen=True)
class Rate:
    """``limit`` requests per ``period_s`` seconds; ``limit`` 0 means no limit."""

    limit: int
    period_s: int

    @property
    def off(self) -> bool:
        return self.limit == 0

    @classmethod
    def parse(cls, text: str, name: str = "rate") -> Rate:
        """``"60/minute"``, ``"1000/hour"``, ``"5/10s"``, ``"off"`` (no limit)."""
        if text.strip().lower() in {"off", "0", "none", "unlimited"}:
            return cls(0, 1)
        match = _RATE.match(text)
        if not match:
            raise SettingsError(f"{name}={text!r}: write it like 60/minute, 1000/hour, 5/10s or off")
        count, multiple, unit = int(match[1]), int(match[2] or 1), match[3].lower()
        if count <= 0 or multiple <= 0:
            raise SettingsError(f"{name}={text!r}: the count and the period must be positive")
        return cls(count, multiple * _UNIT_SECONDS[unit])

    def __str__(self) -> str:
        return "off" if self.off else f"{self.limit}/{self.period_s}s"


@dataclass(frozen=True)
class ApiSettings:
    """What the public API reads from the environment; built once at start-up and passed in."""

    cors_origins: tuple[str, ...] = ()
    part_url_template: str | None = None
    redis_url: str | None = None
    anonymous_rate: Rate = field(default_factory=lambda: Rate(120, 60))
    key_rate: Rate = field(default_factory=lambda: Rate(1200, 60))
    leads_rate: Rate = field(default_factory=lambda: Rate(10, 3600))
    leads_open: bool = False  # True: POST /leads without an API key (rate limit + phone checks only)
    api_key_cache_s: float = 10.0  # a revoked key stops working within this many seconds
    search_cache_s: float = 30.0  # a search page is served again for this long (0: off)
    search_threads: int = 2  # threads computing search pages (webservice/api/search_cache.py)
    lookup: LookupSettings = field(default_factory=LookupSettings)  # online VIN lookup (off without a URL)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ApiSettings:
        read = EnvReader(env)
        origins = tuple(o.strip().rstrip("/") for o in read.text("API_CORS_ORIGINS").split(",") if o.strip())
        for origin in origins:
            if origin != "*" and not re.match(r"^https?://[^/\s]+$", origin):
                raise SettingsError(
                    f"API_CORS_ORIGINS: {origin!r} is not an origin like https://shop.example"
                )
        return cls(
            cors_origins=origins,
            part_url_template=part_url_template(read),
            redis_url=read.url("REDIS_URL", schemes=("redis", "rediss", "unix")) or None,
            anonymous_rate=Rate.parse(read.text("API_RATE_LIMIT", "120/minute"), "API_RATE_LIMIT"),
            key_rate=Rate.parse(read.text("API_KEY_RATE_LIMIT", "1200/minute"), "API_KEY_RATE_LIMIT"),
            leads_rate=Rate.parse(read.text("API_LEADS_RATE_LIMIT", "10/hour"), "API_LEADS_RATE_LIMIT"),
            leads_open=read.flag("API_LEADS_OPEN", False),
            search_cache_s=read.number("API_SEARCH_CACHE_SECONDS", 30.0, minimum=0, maximum=3600),
            search_threads=read.integer("API_SEARCH_THREADS", 2, minimum=1, maximum=64),
            lookup=LookupSettings.from_env(env),
        )
