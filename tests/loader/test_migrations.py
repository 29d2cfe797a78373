"""Alembic migrations build exactly the schema in catalog/schema.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from catalog.db import make_engine
from catalog.migrate import alembic_config, downgrade_database, has_catalog_tables, upgrade_database
from catalog.schema import metadata


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
