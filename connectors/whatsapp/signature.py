"""``X-Hub-Signature-256`` verification: HMAC-SHA256 of the raw body with the App Secret."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends for ``body`` (used by the simulator and tests)."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return _PREFIX + digest


def is_valid_signature(body: bytes, header: str | None, app_secret: str) -> bool:
    """Constant-time check over the bytes as received (never re-serialised JSON)."""
    if not header or not app_secret:
        return False
    header = header.strip()
    if not header.lower().startswith(_PREFIX):
        return False
    received = header[len(_PREFIX) :].strip().lower()
    try:
        received_bytes = received.encode("ascii")
    except UnicodeEncodeError:
        return False
    expected = sign(body, app_secret)[len(_PREFIX) :].encode("ascii")
    return hmac.compare_digest(expected, received_bytes)
