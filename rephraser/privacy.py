"""Keeping personal data out of prompts and logs.

Only the message text goes to the model, and even in it phone numbers, e-mail
addresses and (for canned replies) the customer's name are swapped for placeholders
(``<phone_1>``) that are swapped back after the rephrasing, so the NLU still sees them.
Conversation ids (WhatsApp numbers) are masked in logs and hashed in the usage table.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# UAE numbers (+971 / 00971 / 0 prefixes, mobile 05x and landlines) and any other
# international number written with + or 00 and 9-15 digits.
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\s?971[\s-]?\(?0?\)?[\s-]?(?:5\d|[2-9])[\s-]?\d{3}[\s-]?\d{4}"
    r"|0(?:5\d|[2-9])[\s-]?\d{3}[\s-]?\d{4}"
    r"|(?:\+|00)[1-9](?:[\s-]?\d){8,14}"
    r")(?!\w)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PLACEHOLDER = re.compile(r"<(phone|email|name)_(\d+)>")


@dataclass
class Redacted:
    """Text with personal data replaced, and what to put back."""

    text: str
    replacements: dict[str, str] = field(default_factory=dict)

    def restore(self, text: str) -> str:
        """Put the original values back into model output."""
        return _PLACEHOLDER.sub(lambda m: self.replacements.get(m.group(0), m.group(0)), text)


def redact(text: str, names: Iterable[str] = ()) -> Redacted:
    """Replace phone numbers, e-mail addresses and the given ``names`` with numbered placeholders."""
    replacements: dict[str, str] = {}
    counters = {"phone": 0, "email": 0, "name": 0}

    def swap(kind: str):  # noqa: ANN202 - local callback
        def _sub(match: re.Match) -> str:
            counters[kind] += 1
            token = f"<{kind}_{counters[kind]}>"
            replacements[token] = match.group(0)
            return token

        return _sub

    out = _EMAIL.sub(swap("email"), text)
    out = _PHONE.sub(swap("phone"), out)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", swap("name"), out, flags=re.I)
    return Redacted(out, replacements)


def conversation_key(conversation_id: str | None) -> str:
    """Stable pseudonymous key for the usage table (sha256, 32 hex chars)."""
    return hashlib.sha256(str(conversation_id or "").encode("utf-8")).hexdigest()[:32]
