"""API keys of the public parts API: created and revoked by staff (CLI), shown once, stored hashed.

A key looks like ``cpd_3f9a1c2b_<32 random url-safe characters>``: ``cpd_`` says what it is (secret
scanners and people recognise it), the 8-character id is shown in lists and logs, the rest is
the secret. Only the SHA-256 of the whole key is stored.

Why SHA-256 and not argon2 (which the staff passwords use): a key carries ~190 bits of
randomness, so nobody can guess it from its hash however fast the hash is; argon2's slowness
protects low-entropy passwords and would add ~50 ms to every API call.

Scopes say what a key may do: ``leads:write`` (create leads from the website's form),
``parts:read`` (search with the key's own, higher rate limit). Functions flush but do not commit:
the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, String, select
from sqlalchemy.orm import Session

from catalog.schema import Base

SCOPES = {
    "parts:read": "search parts, vehicles and categories with the key's own rate limit",
    "leads:write": "create leads (the website's 'request this part' form)",
}
PREFIX = "cpd_"
_KEY = re.compile(r"^cpd_([0-9a-f]{8})_([A-Za-z0-9_-]{32,64})$")
MAX_NAME = 64


class ApiKeyError(ValueError):
    """Bad input for a key (unknown scope, empty name, unknown id); the message says which."""


class ApiKeyRow(Base):
    """One API key: who it is for, what it may do, and when it was revoked."""

    __tablename__ = "api_keys"
    id = Column(Integer, primary_key=True)
    key_id = Column(String(8), nullable=False, unique=True)  # the public part: cpd_<key_id>_...
    key_hash = Column(String(64), nullable=False, unique=True)  # sha256 hex of the whole key
    name = Column(String(MAX_NAME), nullable=False)  # "website", "Al Quoz Garage"
    scopes = Column(String(255), nullable=False)  # space-separated
    created_at = Column(DateTime(timezone=True), nullable=False)
    revoked_at = Column(DateTime(timezone=True))
    last_used_at = Column(DateTime(timezone=True))


@dataclass(frozen=True)
class ApiKeyInfo:
    """A key as the rest of the code sees it (never the secret, never the hash)."""

    id: int
    key_id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.active and scope in self.scopes

    @classmethod
    def of(cls, row: ApiKeyRow) -> ApiKeyInfo:
        return cls(row.id, row.key_id, row.name, frozenset(row.scopes.split()), row.created_at,
                   row.revoked_at, row.last_used_at)  # fmt: skip


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: ``secret`` is the only copy; show it once and forget it."""

    info: ApiKeyInfo
    secret: str


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_scopes(scopes: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    wanted = frozenset(s.strip() for s in scopes if s and s.strip())
    unknown = sorted(wanted - SCOPES.keys())
    if unknown:
        raise ApiKeyError(f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(SCOPES))}")
    if not wanted:
        raise ApiKeyError(f"give at least one scope: {', '.join(sorted(SCOPES))}")
    return wanted


def create_key(session: Session, name: str, scopes: list[str] | tuple[str, ...]) -> NewKey:
    """A new key for ``name`` with ``scopes``; the returned secret is not stored anywhere."""
    name = " ".join((name or "").split())
    if not name:
        raise ApiKeyError("name is empty: say who the key is for, e.g. 'website'")
    if len(name) > MAX_NAME:
        raise ApiKeyError(f"name is longer than {MAX_NAME} characters")
    wanted = check_scopes(scopes)
    while True:
        key_id = secrets.token_hex(4)
        if session.execute(select(ApiKeyRow.id).where(ApiKeyRow.key_id == key_id)).first() is None:
            break
    secret = f"{PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
    row = ApiKeyRow(
        key_id=key_id,
        key_hash=hash_key(secret),
        name=name,
        scopes=" ".join(sorted(wanted)),
        created_at=datetime.now(timezone.utc),
    )
    session.add(row)
    session.flush()
    return NewKey(ApiKeyInfo.of(row), secret)


def verify_key(session: Session, presented: str) -> ApiKeyInfo | None:
    """The key's info when ``presented`` is a known key (revoked ones included: check ``active``);
    None for anything else. Malformed text never reaches the database."""
    match = _KEY.match((presented or "").strip())
    if not match:
        return None
    row = session.execute(select(ApiKeyRow).where(ApiKeyRow.key_id == match[1])).scalar_one_or_none()
    if row is None or not hmac.compare_digest(row.key_hash, hash_key(presented.strip())):
        return None
    return ApiKeyInfo.of(row)


def touch(session: Session, key: ApiKeyInfo) -> None:
    """Record that the key was used (callers do it at most once a minute per key)."""
    row = session.get(ApiKeyRow, key.id)
    if row is not None:
        row.last_used_at = datetime.now(timezone.utc)
        session.flush()


def revoke_key(session: Session, key_id: str) -> ApiKeyInfo:
    """Revoke by the 8-character id (or the whole key); revoking twice is harmless."""
    text = (key_id or "").strip()
    match = _KEY.match(text)
    short = match[1] if match else text.removeprefix(PREFIX)
    row = session.execute(select(ApiKeyRow).where(ApiKeyRow.key_id == short)).scalar_one_or_none()
    if row is None:
        raise ApiKeyError(f"no API key with id {short!r}; `api-keys list` shows them")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(timezone.utc)
        session.flush()
    return ApiKeyInfo.of(row)


def list_keys(session: Session, include_revoked: bool = True) -> list[ApiKeyInfo]:
    stmt = select(ApiKeyRow).order_by(ApiKeyRow.created_at, ApiKeyRow.id)
    if not include_revoked:
        stmt = stmt.where(ApiKeyRow.revoked_at.is_(None))
    return [ApiKeyInfo.of(row) for row in session.execute(stmt).scalars()]


__all__ = [
    "SCOPES",
    "ApiKeyError",
    "ApiKeyInfo",
    "ApiKeyRow",
    "NewKey",
    "create_key",
    "hash_key",
    "list_keys",
    "revoke_key",
    "touch",
    "verify_key",
]
