"""The staff CLI for console accounts: first admin, create, list, disable, reset (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from accounts.staff import authenticate, find_user
from catalog.migrate import upgrade_database
from catalog_loader.cli import app
from shopkernel.db import make_engine, make_session_factory, session_scope

runner = CliRunner()


def users(url: str, *args: str, stdin: str | None = None):  # noqa: ANN201
    return runner.invoke(app, ["users", *args, "--database-url", url], input=stdin)


def test_first_admin_is_created_once_and_can_sign_in(migrated_url):
    upgrade_database(migrated_url)
    first = users(migrated_url, "bootstrap")
    assert first.exit_code == 0 and "console admin created: user admin" in first.output
    password = re.search(r"password (\S+) \(shown once", first.output)[1]
    again = users(migrated_url, "bootstrap")
    assert again.exit_code == 0 and again.output == ""  # an account exists: nothing printed
    engine = make_engine(migrated_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            assert authenticate(session, "admin", password, "cli-test").role == "admin"
    finally:
        engine.dispose()


def test_create_list_disable_reset(migrated_url):
    upgrade_database(migrated_url)
    created = users(migrated_url, "create", "maryam", "--role", "agent", "--name", "مريم", "--lang", "ar")
    assert created.exit_code == 0, created.output
    password = re.search(r"^password: (\S+)$", created.output, re.M)[1]
    taken = users(migrated_url, "create", "Maryam")
    assert taken.exit_code == 2 and "already taken" in taken.output
    bad_role = users(migrated_url, "create", "sam", "--role", "owner")
    assert bad_role.exit_code == 2 and "role must be one of" in bad_role.output
    listed = users(migrated_url, "list")
    assert re.search(r"maryam\s+agent\s+active", listed.output) and "مريم" in listed.output
    assert users(migrated_url, "disable", "maryam").exit_code == 0
    assert re.search(r"maryam\s+agent\s+disabled", users(migrated_url, "list").output)
    assert users(migrated_url, "disable", "nobody").exit_code == 2
    piped = users(migrated_url, "reset-password", "maryam", "--password-stdin", stdin="a new long password\n")
    assert piped.exit_code == 0 and "a new long password" not in piped.output
    engine = make_engine(migrated_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            user = find_user(session, "maryam")
            assert user.disabled and user.lang == "ar" and user.password_hash.startswith("$argon2id$")
            assert password not in user.password_hash
    finally:
        engine.dispose()


def test_no_database_tables_is_a_clear_error(tmp_path):
    answer = users(f"sqlite:///{tmp_path / 'empty.db'}", "list")
    assert answer.exit_code == 4 and "init-db" in answer.output
