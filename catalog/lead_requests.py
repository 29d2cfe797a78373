"""Idempotent lead creation for requests from outside (the API's lead form): one key, one lead.

The website's form (``POST /api/v1/leads``) sends an ``Idempotency-Key``; a retried request
(timeout, double click, proxy retry) carries the same key and must not create a second lead.
The key becomes the lead's ``source_key`` (unique in ``leads``, the same mechanism that keeps a
re-driven conversation turn to one lead), and a fingerprint of the request is kept in the
lead's details: the same key with another request is a conflict, not a silent replay. Two
identical requests racing each other end with one lead on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy.orm import Session

from catalog.leads import LeadDraft, record_lead
from catalog.schema import Lead

MAX_KEY = 255


class IdempotencyConflict(ValueError):
    """The key was already used for a different request."""


def fingerprint(payload: dict) -> str:
    """Stable hash of a request body: same fields and values -> same fingerprint."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_lead_once(session: Session, source_key: str, print_: str, draft: LeadDraft) -> tuple[Lead, bool]:
    """The lead for ``source_key``: created now (``False``) or the one created before (``True``).

    Raises :class:`IdempotencyConflict` when the key was used with another fingerprint.
    """
    if not source_key or len(source_key) > 300:
        raise ValueError("source key must be 1 to 300 characters")
    request_id = uuid.uuid4().hex
    draft.source_key = source_key
    draft.details = {**(draft.details or {}), "request_fingerprint": print_, "request_id": request_id}
    lead = record_lead(session, draft)
    details = lead.details or {}
    if details.get("request_id") == request_id:
        return lead, False
    if details.get("request_fingerprint") != print_:
        raise IdempotencyConflict("this Idempotency-Key was already used with a different request body")
    return lead, True


__all__ = ["IdempotencyConflict", "fingerprint", "record_lead_once"]
