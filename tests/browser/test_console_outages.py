"""Outages in front of staff: the database or the conversation store down gives clear pages."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import start_console
from tests.browser.test_console_security import signed_in_client
from tests.conftest import PG_ADMIN_URL

TERMINATE = text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n")


@pytest.fixture
def pg_console(tmp_path):
    """A console on its own PostgreSQL database (so the test can take it away), tracker store absent."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means PostgreSQL is absent
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({type(exc).__name__})")
    name = f"console_outage_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    from catalog.migrate import upgrade_database

    upgrade_database(url)
    missing_tracker = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}_no_tracker"
    server = start_console(tmp_path, url, missing_tracker)
    server.admin, server.db_name = admin, name
    yield server
    server.stop()
    with admin.connect() as conn:
        for db in (name, f"{name}_off"):
            conn.execute(TERMINATE, {"n": db})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
    admin.dispose()


def _take_database_away(server, back: bool = False) -> None:  # noqa: ANN001
    old, new = server.db_name, f"{server.db_name}_off"
    if back:
        old, new = new, old
    with server.admin.connect() as conn:
        conn.execute(TERMINATE, {"n": old})
        conn.execute(text(f'ALTER DATABASE "{old}" RENAME TO "{new}"'))


def test_database_down_gives_a_clear_page_and_shows_what_was_typed(pg_console):
    lead_id = pg_console.add_lead(customer_name="Outage", part_query="alternator")
    client, csrf = signed_in_client(pg_console)
    page = client.get(f"/console/leads/{lead_id}")
    assert page.status_code == 200
    assert "The conversation cannot be shown" in page.text  # tracker store missing: the rest works
    if pg_console._engine is not None:
        pg_console._engine.dispose()
    _take_database_away(pg_console)
    try:
        down = client.get("/console/leads")
        assert down.status_code == 503
        assert "Database unavailable" in down.text and "Traceback" not in down.text
        note = "اتصلت بالعميل، يريد القطعة الأصلية — call back at 5"
        kept = client.post(f"/console/leads/{lead_id}/note", data={"text": note, "csrf_token": csrf})
        assert kept.status_code == 503
        assert "nothing was saved" in kept.text and note in kept.text
        assert csrf not in kept.text.split("<main")[1]  # the token is not echoed as "typed"
    finally:
        _take_database_away(pg_console, back=True)
    assert client.get("/console/leads").status_code == 200  # back without a restart
