"""Alembic migrations build exactly the schema in catalog/schema.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

import accounts.staff  # noqa: F401 - the staff tables share the catalog's metadata
from catalog.migrate import alembic_config, downgrade_database, has_catalog_tables, upgrade_database
from catalog.schema import metadata
from shopkernel.db import make_engine


def _diff(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_on_empty_database_matches_metadata(migrated_url):
    engine = make_engine(migrated_url)
    try:
        assert not has_catalog_tables(migrated_url)
        upgrade_database(migrated_url)
        tables = set(inspect(engine).get_table_names())
        assert tables == set(metadata.tables) | {"alembic_version"}
        assert _diff(engine) == []
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        [head] = ScriptDirectory.from_config(alembic_config(migrated_url)).get_heads()  # one chain
        assert version == head
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_downgrade_removes_tables(migrated_url):
    upgrade_database(migrated_url)
    upgrade_database(migrated_url)  # second run: nothing to do, no error
    assert has_catalog_tables(migrated_url)
    downgrade_database(migrated_url, "base")
    engine = make_engine(migrated_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_console_revision_maps_lead_statuses_from_before_the_console(migrated_url):
    """0002: needs_human/pending_retry become new, closed becomes lost with a reason; nothing lost."""
    upgrade_database(migrated_url, "0001")
    engine = make_engine(migrated_url)
    try:
        with engine.begin() as conn:
            old = [("handoff", "needs_human"), ("quote", "pending_retry"), ("quote", "closed")]
            old.append(("quote", "won"))
            for n, (kind, status) in enumerate(old):
                conn.execute(
                    text("INSERT INTO leads (channel_user_id, conversation_id, kind, status) "
                         "VALUES (:c, :c, :k, :s)"),
                    {"c": f"97150000000{n}", "k": kind, "s": status},
                )
        upgrade_database(migrated_url, "0004_staff_console")
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, lost_reason FROM leads ORDER BY channel_user_id")).all()
        assert [tuple(r) for r in rows] == [
            ("new", None), ("new", None), ("lost", "closed before the console"), ("won", None)
        ]
    finally:
        engine.dispose()
