"""Staff accounts: hashing, roles, lock-out (per account and per address, time-based), sessions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from accounts import staff
from accounts.staff import SignInError, StaffError, StaffLoginFailure, StaffSession, StaffUser
from shopkernel.db import session_scope

PW = "a long enough password"


@pytest.fixture
def db(session_factory):
    def scope():
        return session_scope(session_factory)

    return scope


def _add(db, name: str = "maryam", role: str = "agent") -> None:  # noqa: ANN001
    with db() as s:
        staff.create_user(s, name, PW, role, "Maryam")


def _attempt(db, name: str, password: str, address: str = "10.0.0.1"):  # noqa: ANN001, ANN202
    """Like the sign-in page: the failure is committed so it counts toward lock-out."""
    with db() as session:
        try:
            return staff.authenticate(session, name, password, address)
        except SignInError as exc:
            return exc


def test_password_is_stored_as_argon2_and_checked(db):
    _add(db)
    with db() as s:
        user = staff.find_user(s, "MARYAM ")
        assert user.password_hash.startswith("$argon2id$") and PW not in user.password_hash
    assert isinstance(_attempt(db, "maryam", PW), StaffUser)
    assert _attempt(db, "maryam", "wrong password!").reason == "invalid"
    assert _attempt(db, "nobody", PW).reason == "invalid"  # same answer: names are not revealed


@pytest.mark.parametrize(
    ("name", "password", "role", "message"),
    [
        ("x", PW, "agent", "username"),
        ("Has Space", PW, "agent", "username"),
        ("ok.name", "short", "agent", "at least 10"),
        ("ok.name", PW, "owner", "role must be one of"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(db, name, password, role, message):
    with pytest.raises(StaffError, match=message), db() as s:
        staff.create_user(s, name, password, role)


def test_taken_username_is_refused(db):
    _add(db)
    with pytest.raises(StaffError, match="already taken"), db() as s:
        staff.create_user(s, "Maryam", PW)


def test_account_lock_lasts_the_window_then_lifts(db):
    _add(db)
    for _ in range(staff.ACCOUNT_FAILURES):
        assert _attempt(db, "maryam", "wrong password!").reason == "invalid"
    assert _attempt(db, "maryam", PW).reason == "locked"
    assert _attempt(db, "maryam", PW, address="10.9.9.9").reason == "locked"  # another address too
    with db() as s:  # fifteen minutes later
        s.execute(update(StaffLoginFailure).values(at=datetime.now(timezone.utc) - staff.FAILURE_WINDOW))
    assert isinstance(_attempt(db, "maryam", PW), StaffUser)


def test_one_address_trying_many_names_is_blocked(db):
    _add(db)
    for n in range(staff.ADDRESS_FAILURES):
        _attempt(db, f"guess{n}", "wrong password!", address="203.0.113.7")
    assert _attempt(db, "maryam", PW, address="203.0.113.7").reason == "blocked"
    assert isinstance(_attempt(db, "maryam", PW, address="10.0.0.2"), StaffUser)


def test_success_clears_the_failures_of_the_account(db):
    _add(db)
    for _ in range(staff.ACCOUNT_FAILURES - 1):
        _attempt(db, "maryam", "wrong password!")
    assert isinstance(_attempt(db, "maryam", PW), StaffUser)
    for _ in range(staff.ACCOUNT_FAILURES - 1):
        assert _attempt(db, "maryam", "wrong password!").reason == "invalid"


def test_disabled_account_cannot_sign_in_and_its_sessions_end(db):
    _add(db)
    with db() as s:
        token = staff.start_session(s, staff.find_user(s, "maryam"))
    with db() as s:
        assert staff.resolve_session(s, token).username == "maryam"
        staff.set_disabled(s, staff.find_user(s, "maryam"), True)
    with db() as s:
        assert staff.resolve_session(s, token) is None
    assert _attempt(db, "maryam", PW).reason == "invalid"


def test_sessions_store_only_a_hash_and_expire_when_idle(db):
    _add(db)
    with db() as s:
        token = staff.start_session(s, staff.find_user(s, "maryam"), "10.0.0.1", "Firefox")
    with db() as s:
        [row] = s.query(StaffSession).all()
        assert row.token_hash != token and len(row.csrf_token) >= 32
        row.last_seen_at = datetime.now(timezone.utc) - staff.SESSION_IDLE - timedelta(minutes=1)
    with db() as s:
        assert staff.resolve_session(s, token) is None
        assert staff.resolve_session(s, "forged") is None and staff.resolve_session(s, None) is None


def test_password_reset_ends_every_session(db):
    _add(db)
    with db() as s:
        user = staff.find_user(s, "maryam")
        tokens = [staff.start_session(s, user) for _ in range(2)]
    with db() as s:
        staff.set_password(s, staff.find_user(s, "maryam"), "another long password")
    with db() as s:
        assert [staff.resolve_session(s, t) for t in tokens] == [None, None]


def test_the_last_admin_stays(db):
    _add(db, "boss", "admin")
    with db() as s, pytest.raises(StaffError, match="last enabled admin"):
        staff.set_disabled(s, staff.find_user(s, "boss"), True)
    with db() as s, pytest.raises(StaffError, match="last enabled admin"):
        staff.set_role(s, staff.find_user(s, "boss"), "agent")
    _add(db, "second", "admin")
    with db() as s:
        staff.set_role(s, staff.find_user(s, "boss"), "agent")


def test_roles(db):
    signed = staff.SignedIn(1, "a", "A", "designer", "en", "c", "h")
    assert signed.has_role("designer") and not signed.has_role("agent")
    assert staff.SignedIn(1, "a", "A", "admin", "en", "c", "h").has_role("agent")
