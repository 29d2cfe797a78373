"""Staff accounts of the console: argon2 passwords, roles, lock-out and revocable sessions.

Why server-side sessions (a table) rather than signed cookies: an admin must be able to end a
lost phone's session or a dismissed colleague's at once, and a disabled account must stop
working on its next request. Only a SHA-256 of the session token is stored, so a copy of the
database does not let anyone sign in.

Lock-out is time-based and counted from the ``staff_login_failures`` table, per account and per
client address, so it works the same with several web-service processes.

Functions flush but do not commit: the caller owns the transaction (``shopkernel.db.session_scope``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Session, relationship

from catalog.schema import Base

log = logging.getLogger(__name__)

ROLES = ("agent", "designer", "admin")
LANGUAGES = ("en", "ar")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

ACCOUNT_FAILURES = 5  # wrong passwords for one account within the window -> locked
ADDRESS_FAILURES = 20  # failures from one client address within the window -> blocked
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_IDLE = timedelta(hours=12)
SESSION_MAX = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --------------------------------------------------------------------------- tables
class StaffUser(Base):
    """One member of staff. Never deleted (lead history names them): disabled instead."""

    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(32), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False, default="agent")
    lang = Column(String(8), nullable=False, default="en")
    password_hash = Column(String(255), nullable=False)
    disabled = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    password_changed_at = Column(DateTime(timezone=True))
    last_sign_in_at = Column(DateTime(timezone=True))
    sessions = relationship("StaffSession", back_populates="user", cascade="all, delete-orphan")
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        CheckConstraint(f"lang IN {LANGUAGES!r}", name="lang"),
    )


class StaffSession(Base):
    """A signed-in browser. ``token_hash`` is SHA-256 of the cookie value."""

    __tablename__ = "staff_sessions"
    token_hash = Column(String(64), primary_key=True)
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    last_seen_at = Column(DateTime(timezone=True), nullable=False)
    revoked_at = Column(DateTime(timezone=True))
    client_address = Column(String(64))
    user_agent = Column(String(255))
    user = relationship("StaffUser", back_populates="sessions")


class StaffLoginFailure(Base):
    """One failed sign-in, kept for the lock-out window (older rows are pruned)."""

    __tablename__ = "staff_login_failures"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    client_address = Column(String(64), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, index=True)


# --------------------------------------------------------------------------- errors
class StaffError(ValueError):
    """Bad input for an account; the message says which field and why (shown to staff)."""


class SignInError(Exception):
    """Sign-in refused. ``reason`` is one of ``invalid``, ``locked``, ``blocked``."""

    def __init__(self, reason: str, retry_after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


# --------------------------------------------------------------------------- accounts
def generate_password() -> str:
    """A password to hand over once (16 URL-safe characters, ~96 bits)."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise StaffError(f"password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise StaffError(f"password must have at most {MAX_PASSWORD} characters")


def normalise_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise StaffError(
            "username must be 2-32 characters: lower-case letters, digits, dot, dash or underscore"
        )
    return name


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str = "agent",
    display_name: str | None = None,
    lang: str = "en",
) -> StaffUser:
    """A new enabled account; refuses a taken username, an unknown role or a short password."""
    name = normalise_username(username)
    _check_role(role)
    _check_lang(lang)
    if find_user(session, name) is not None:
        raise StaffError(f"username {name!r} is already taken")
    display = " ".join((display_name or "").split())[:64] or name
    user = StaffUser(
        username=name,
        display_name=display,
        role=role,
        lang=lang,
        password_hash=hash_password(password),
        disabled=False,
        password_changed_at=_now(),
    )
    session.add(user)
    session.flush()
    log.info("staff account %s created (%s)", name, role)
    return user


def find_user(session: Session, username: str) -> StaffUser | None:
    name = (username or "").strip().lower()
    return session.execute(select(StaffUser).where(StaffUser.username == name)).scalar_one_or_none()


def get_user(session: Session, username: str) -> StaffUser:
    user = find_user(session, username)
    if user is None:
        raise StaffError(f"no account named {username!r}")
    return user


def list_users(session: Session) -> list[StaffUser]:
    return list(session.execute(select(StaffUser).order_by(StaffUser.username)).scalars())


def has_any_user(session: Session) -> bool:
    return session.execute(select(StaffUser.id).limit(1)).first() is not None


def set_password(session: Session, user: StaffUser, password: str) -> None:
    """New password; every session of the account ends (a reset is often after a leak)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = _now()
    revoke_sessions(session, user)
    _clear_failures(session, user.username)
    session.flush()


def set_disabled(session: Session, user: StaffUser, disabled: bool) -> None:
    """Disable (sessions end at once) or enable; the last enabled admin cannot be disabled."""
    if disabled and user.role == "admin" and not user.disabled and _enabled_admins(session) <= 1:
        raise StaffError("the last enabled admin cannot be disabled")
    user.disabled = bool(disabled)
    if disabled:
        revoke_sessions(session, user)
    session.flush()


def set_role(session: Session, user: StaffUser, role: str) -> None:
    _check_role(role)
    if user.role == "admin" and role != "admin" and not user.disabled and _enabled_admins(session) <= 1:
        raise StaffError("the last enabled admin must stay an admin")
    user.role = role
    session.flush()


def set_language(session: Session, user: StaffUser, lang: str) -> None:
    _check_lang(lang)
    user.lang = lang
    session.flush()


def _enabled_admins(session: Session) -> int:
    stmt = select(func.count()).where(StaffUser.role == "admin", StaffUser.disabled.is_(False))
    return int(session.execute(stmt).scalar_one())


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}, got {role!r}")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise StaffError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")


# --------------------------------------------------------------------------- sign-in
def authenticate(session: Session, username: str, password: str, client_address: str) -> StaffUser:
    """The account for these credentials, or :class:`SignInError`.

    The same ``invalid`` answer for an unknown name, a wrong password and a disabled account,
    so the form does not tell an attacker which names exist. Failures are recorded (and count
    toward lock-out) in the caller's transaction: commit it even when this raises.
    """
    now = _now()
    address = (client_address or "unknown")[:64]
    name = (username or "").strip().lower()[:64]
    _prune_failures(session, now)
    if _failures(session, StaffLoginFailure.client_address == address, now) >= ADDRESS_FAILURES:
        raise SignInError("blocked", FAILURE_WINDOW)
    if _failures(session, StaffLoginFailure.username == name, now) >= ACCOUNT_FAILURES:
        raise SignInError("locked", FAILURE_WINDOW)
    user = find_user(session, name) if name else None
    if user is None or not _verify(user, password) or user.disabled:
        session.add(StaffLoginFailure(username=name or "-", client_address=address, at=now))
        session.flush()
        log.info("failed sign-in for %r from %s", name, address)
        raise SignInError("invalid")
    _clear_failures(session, name)
    user.last_sign_in_at = now
    session.flush()
    return user


def verify_password(user: StaffUser, password: str) -> bool:
    """True when ``password`` is the account's (for a password change; no lock-out counting)."""
    return _verify(user, password)


def _verify(user: StaffUser, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def _failures(session: Session, condition, now: datetime) -> int:  # noqa: ANN001 - SQL expression
    stmt = select(func.count()).where(condition, StaffLoginFailure.at > now - FAILURE_WINDOW)
    return int(session.execute(stmt).scalar_one())


def _clear_failures(session: Session, username: str) -> None:
    session.execute(delete(StaffLoginFailure).where(StaffLoginFailure.username == username))


def _prune_failures(session: Session, now: datetime) -> None:
    session.execute(delete(StaffLoginFailure).where(StaffLoginFailure.at <= now - FAILURE_WINDOW))


# --------------------------------------------------------------------------- sessions
@dataclass(frozen=True)
class SignedIn:
    """What a request knows about its signed-in staff member."""

    user_id: int
    username: str
    display_name: str
    role: str
    lang: str
    csrf_token: str
    token_hash: str

    def has_role(self, *roles: str) -> bool:
        """Admins may do everything; others only what their role names."""
        return self.role == "admin" or self.role in roles


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def start_session(
    session: Session, user: StaffUser, client_address: str = "", user_agent: str = ""
) -> str:
    """A new session for ``user``; returns the cookie value (shown nowhere else)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            client_address=(client_address or "")[:64] or None,
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    session.flush()
    return token


def resolve_session(session: Session, token: str | None) -> SignedIn | None:
    """The live session for a cookie value: not revoked, not idle or too old, account enabled."""
    if not token or len(token) > 128:
        return None
    row = session.get(StaffSession, token_hash(token))
    if row is None or row.revoked_at is not None:
        return None
    now = _now()
    if _aware(row.last_seen_at) < now - SESSION_IDLE or _aware(row.created_at) < now - SESSION_MAX:
        return None
    user = row.user
    if user is None or user.disabled:
        return None
    if _aware(row.last_seen_at) < now - TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return SignedIn(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        lang=user.lang,
        csrf_token=row.csrf_token,
        token_hash=row.token_hash,
    )


def end_session(session: Session, token_hash_value: str) -> None:
    row = session.get(StaffSession, token_hash_value)
    if row is not None and row.revoked_at is None:
        row.revoked_at = _now()
        session.flush()


def revoke_sessions(session: Session, user: StaffUser) -> int:
    """End every open session of ``user``; returns how many."""
    rows = session.execute(
        select(StaffSession).where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
    ).scalars()
    count = 0
    for row in rows:
        row.revoked_at = _now()
        count += 1
    session.flush()
    return count


def open_sessions(session: Session, user: StaffUser) -> list[StaffSession]:
    now = _now()
    rows = session.execute(
        select(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
        .order_by(StaffSession.last_seen_at.desc())
    ).scalars()
    return [r for r in rows if _aware(r.last_seen_at) >= now - SESSION_IDLE]


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


__all__ = [
    "LANGUAGES",
    "ROLES",
    "SignInError",
    "SignedIn",
    "StaffError",
    "StaffLoginFailure",
    "StaffSession",
    "StaffUser",
    "authenticate",
    "create_user",
    "csrf_matches",
    "end_session",
    "find_user",
    "generate_password",
    "get_user",
    "has_any_user",
    "list_users",
    "open_sessions",
    "resolve_session",
    "revoke_sessions",
    "set_disabled",
    "set_language",
    "set_password",
    "set_role",
    "start_session",
    "verify_password",
]
