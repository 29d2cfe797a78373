"""Which script a text is written in: the one language rule code outside the conversation needs.

The assistant's ``language`` slot (conversation/language.py) refines this for a whole
conversation; the WhatsApp connector and the media pipeline, which cannot see the slot,
go by the script of the texts they see (see config/customer_copy.yml).
"""

from __future__ import annotations

import re
from collections import OrderedDict

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def has_arabic(text: str | None) -> bool:
    """True when the text contains Arabic letters (used to answer in Arabic)."""
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text or "")


def script_language(text: str | None) -> str | None:
    """``"ar"`` for Arabic letters, ``"en"`` for Latin words, ``None`` for digits, payloads, emoji."""
    text = (text or "").strip()
    if not text or text.startswith("/"):
        return None
    if has_arabic(text):
        return "ar"
    return "en" if _LATIN_WORD.search(text) else None


class LanguageMemory:
    """The language last seen with each customer, in this process (bounded, least recent dropped)."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._known: OrderedDict[str, str] = OrderedDict()

    def note(self, customer: str, text: str | None) -> str | None:
        """Remember the script of ``text`` when it has one; return the customer's language."""
        language = script_language(text)
        if language:
            self._known[customer] = language
            self._known.move_to_end(customer)
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        return self.get(customer)

    def get(self, customer: str) -> str | None:
        return self._known.get(customer)
