"""Phone numbers as customers type them -> E.164 (``+971501234567``), or a clear refusal.

Without the ``phonenumbers`` library (not in the lock; a full numbering plan is more than a
lead form needs): international numbers are checked for E.164 shape (country code, 8-15
digits in all), UAE numbers also for their real lengths (mobile ``5x`` + 7 digits, landline
area code + 7 digits). Local UAE forms (``050 123 4567``, ``0501234567``) get ``+971``.
"""

from __future__ import annotations

import re

from shopkernel.numerals import fold_digits

_SEPARATORS = re.compile(r"[\s\-().\u200e\u200f\u202a-\u202e]+")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_UAE_MOBILE = re.compile(r"^\+9715[024568]\d{7}$")
_UAE_LANDLINE = re.compile(r"^\+971[2-79]\d{7}$")


class PhoneError(ValueError):
    """Not a phone number we can call back; the message says what is wrong."""


def to_e164(text: str, default_country: str = "971") -> str:
    """``"050 123 4567"`` -> ``"+971501234567"``; ``"+44 20 7946 0958"`` -> ``"+442079460958"``."""
    if not isinstance(text, str) or not text.strip():
        raise PhoneError("phone number is empty")
    raw = _SEPARATORS.sub("", fold_digits(text))
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif raw.startswith("0") and default_country:
        raw = f"+{default_country}{raw[1:]}"
    elif not raw.startswith("+") and re.fullmatch(r"5\d{8}", raw) and default_country == "971":
        raw = "+971" + raw
    elif not raw.startswith("+"):
        raw = "+" + raw
    if not _E164.match(raw):
        raise PhoneError("not a phone number in international form, e.g. +971501234567 or 050 123 4567")
    if raw.startswith("+971") and not (_UAE_MOBILE.match(raw) or _UAE_LANDLINE.match(raw)):
        raise PhoneError("not a UAE number: a mobile is 05x xxx xxxx (+971 5x xxx xxxx)")
    return raw
