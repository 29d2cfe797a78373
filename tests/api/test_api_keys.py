"""API keys: created and shown once by the staff CLI, stored hashed, scoped, revocable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from accounts.api_keys import ApiKeyError, ApiKeyRow, create_key, hash_key, list_keys, revoke_key, verify_key
from catalog.schema import metadata
from catalog_loader.cli import app
from shopkernel.db import make_engine, make_session_factory

KEY = re.compile(r"cpd_[0-9a-f]{8}_[A-Za-z0-9_-]{32}")


@pytest.fixture
def sessions(database_url):
    import accounts.api_keys  # noqa: F401

    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()


def test_key_is_stored_hashed_and_verifies(sessions):
    with sessions() as session:
        new = create_key(session, "website", ["leads:write"])
        session.commit()
        row = session.execute(select(ApiKeyRow)).scalar_one()
    assert KEY.fullmatch(new.secret)
    assert new.secret not in (row.key_hash, row.key_id, row.name) and row.key_hash == hash_key(new.secret)
    with sessions() as session:
        info = verify_key(session, new.secret)
        assert info is not None and info.allows("leads:write") and not info.allows("parts:read")
        assert verify_key(session, new.secret[:-1] + ("A" if new.secret[-1] != "A" else "B")) is None
        assert verify_key(session, "") is None and verify_key(session, "cpd_' OR 1=1 --") is None


def test_revoked_key_is_known_but_inactive(sessions):
    with sessions() as session:
        new = create_key(session, "garage", ["parts:read", "leads:write"])
        revoke_key(session, new.info.key_id)
        revoke_key(session, new.secret)  # twice, and by the whole key: harmless
        session.commit()
        info = verify_key(session, new.secret)
        assert info is not None and not info.active and not info.allows("leads:write")
        assert list_keys(session, include_revoked=False) == []
        assert [k.key_id for k in list_keys(session)] == [new.info.key_id]


@pytest.mark.parametrize(("name", "scopes", "message"), [
    ("website", ["leads:delete"], "unknown scope"),
    ("website", [], "at least one scope"),
    ("  ", ["leads:write"], "name is empty"),
    ("x" * 65, ["leads:write"], "longer than"),
])  # fmt: skip
def test_bad_key_requests_are_refused(sessions, name, scopes, message):
    with sessions() as session, pytest.raises(ApiKeyError, match=message):
        create_key(session, name, scopes)


def test_staff_cli_creates_lists_and_revokes(database_url, sessions):
    runner = CliRunner()
    created = runner.invoke(app, ["api-keys", "create", "website", "--scope", "leads:write",
                                  "--database-url", database_url])  # fmt: skip
    assert created.exit_code == 0, created.output
    secret = KEY.search(created.output)[0]
    assert "shown only once" in created.output
    key_id = secret.split("_", 2)[1]
    listed = runner.invoke(app, ["api-keys", "list", "--database-url", database_url])
    assert listed.exit_code == 0 and key_id in listed.output and "leads:write" in listed.output
    assert secret not in listed.output and secret.split("_", 2)[2] not in listed.output
    revoked = runner.invoke(app, ["api-keys", "revoke", key_id, "--database-url", database_url])
    assert revoked.exit_code == 0 and f"revoked {key_id}" in revoked.output
    assert key_id not in runner.invoke(app, ["api-keys", "list", "--database-url", database_url]).output
    assert (
        "revoked" in runner.invoke(app, ["api-keys", "list", "--all", "--database-url", database_url]).output
    )
    with sessions() as session:
        assert not verify_key(session, secret).active


def test_staff_cli_errors(database_url, sessions):
    runner = CliRunner()
    bad = runner.invoke(app, ["api-keys", "create", "website", "--scope", "everything",
                              "--database-url", database_url])  # fmt: skip
    assert bad.exit_code == 2 and "unknown scope" in bad.output
    missing = runner.invoke(app, ["api-keys", "revoke", "deadbeef", "--database-url", database_url])
    assert missing.exit_code == 2 and "no API key" in missing.output
