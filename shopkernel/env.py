"""Typed readers for environment variables: one rule set and one error type for every package.

The rules, the same for every setting of every process:

* a variable that is unset, empty or only white space means "use the default";
* values are stripped of surrounding white space;
* yes/no values are ``1 true yes on`` or ``0 false no off`` (any case); anything else is an error;
* numbers that do not parse, or fall outside the allowed range, are an error;
* every error is a :class:`SettingsError` whose message names the variable and the value.

Each package keeps its own frozen settings dataclass with a ``from_env`` built on
:class:`EnvReader`, read once at start-up and passed on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from shopkernel.db import default_database_url

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting has a value the program cannot use; the message names the variable."""


class EnvReader:
    """Reads typed values from a mapping (``os.environ`` by default) with the rules above."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = os.environ if env is None else env

    def text(self, name: str, default: str = "") -> str:
        """The stripped value, or ``default`` when unset or blank."""
        return (self.env.get(name) or "").strip() or default

    def first(self, *names: str, default: str = "") -> str:
        """The first of several variables that is set (``WHATSAPP_REDIS_URL`` before ``REDIS_URL``)."""
        for name in names:
            value = self.text(name)
            if value:
                return value
        return default

    def flag(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if not raw:
            return default
        word = raw.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise SettingsError(f"{name}={raw!r} is not a yes/no value (use 1 or 0)")

    def integer(self, name: str, default: int, minimum: int | None = None, maximum: int | None = None) -> int:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not a whole number") from None
        return _in_range(name, raw, value, minimum, maximum)

    def number(
        self, name: str, default: float, minimum: float | None = None, maximum: float | None = None
    ) -> float:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not a number") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise SettingsError(f"{name}={raw!r} is not a finite number")
        return _in_range(name, raw, value, minimum, maximum)

    def choice(self, name: str, default: str, choices: Iterable[str]) -> str:
        """One of a fixed set of words, compared in lower case."""
        allowed = tuple(choices)
        value = self.text(name, default).lower()
        if value not in allowed:
            raise SettingsError(f"{name}={value!r} must be one of {', '.join(allowed)}")
        return value

    def url(self, name: str, default: str = "", schemes: Iterable[str] = ("http", "https")) -> str:
        """An absolute URL with one of ``schemes``, without a trailing slash ("" when unset)."""
        value = self.text(name, default).rstrip("/")
        if not value:
            return value
        allowed = tuple(schemes)
        parts = urlsplit(value)
        if parts.scheme not in allowed or not parts.netloc:
            raise SettingsError(
                f"{name}={value!r} must be a URL starting with " + " or ".join(f"{s}://" for s in allowed)
            )
        return value

    def database_url(self) -> str:
        """``DATABASE_URL``, or the SQLite file under ``var/`` a fresh clone works with.

        The only place the variable is read: every process shares this database.
        """
        return self.text("DATABASE_URL") or default_database_url()


def _in_range(name: str, raw: str, value, minimum, maximum):  # noqa: ANN001, ANN202 - int or float
    if minimum is not None and value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name}={raw!r} must be at most {maximum}")
    return value
