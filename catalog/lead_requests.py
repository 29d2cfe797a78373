"""Idempotent lead creation: one request key -> one lead, never two.

The website's form (``POST /api/v1/leads``) sends an ``Idempotency-Key``; a retried request
(timeout, double click, proxy retry) carries the same key and must not create a second lead.
The key, a fingerprint of the request and the lead are stored in the same transaction as the
lead itself, with a unique index on (owner, key): two identical requests racing each other end
with one lead, on SQLite and PostgreSQL, whichever process serves them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.leads import LeadDraft, record_lead
from catalog.schema import Base, Lead

MAX_KEY = 255


class IdempotencyConflict(ValueError):
    """The key was already used for a different request."""


class LeadRequest(Base):
    """A lead-creating request seen before: who sent it, its key, its fingerprint, its lead."""

    __tablename__ = "lead_requests"
    id = Column(Integer, primary_key=True)
    owner = Column(String(64), nullable=False)  # "key:<api key id>" or "anonymous"
    idempotency_key = Column(String(MAX_KEY), nullable=False)
    fingerprint = Column(String(64), nullable=False)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime(timezone=True), nullable=False)
    __table_args__ = (UniqueConstraint("owner", "idempotency_key", name="uq_lead_requests_owner_key"),)


def fingerprint(payload: dict) -> str:
    """Stable hash of a request body: same fields and values -> same fingerprint."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_lead_once(
    session: Session, owner: str, key: str, print_: str, draft: LeadDraft
) -> tuple[Lead, bool]:
    """The lead for this (owner, key): created now, or the one created before (``True``).

    Raises :class:`IdempotencyConflict` when the key was used with another fingerprint.
    """
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"idempotency key must be 1 to {MAX_KEY} characters")
    seen = _replay(session, owner, key, print_)
    if seen is not None:
        return seen, True
    try:
        with session.begin_nested():
            lead = record_lead(session, draft)
            session.add(
                LeadRequest(
                    owner=owner,
                    idempotency_key=key,
                    fingerprint=print_,
                    lead_id=lead.id,
                    created_at=datetime.now(timezone.utc),
                )
            )
            session.flush()
    except IntegrityError:
        seen = _replay(session, owner, key, print_)  # a concurrent twin committed first
        if seen is None:
            raise
        return seen, True
    return lead, False


def _replay(session: Session, owner: str, key: str, print_: str) -> Lead | None:
    stmt = select(LeadRequest).where(LeadRequest.owner == owner, LeadRequest.idempotency_key == key)
    row = session.execute(stmt).scalar_one_or_none()
    if row is None:
        return None
    if row.fingerprint != print_:
        raise IdempotencyConflict("this Idempotency-Key was already used with a different request body")
    return session.get(Lead, row.lead_id)


__all__ = ["IdempotencyConflict", "LeadRequest", "fingerprint", "record_lead_once"]
