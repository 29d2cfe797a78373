"""Run the Alembic migrations programmatically (``init-db``, ``scripts/run``, tests).

The Alembic configuration is built here rather than read from ``alembic.ini`` so
that it works from any working directory; ``alembic.ini`` at the project root is
for developers running the ``alembic`` command itself.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from shopkernel.db import make_engine
from shopkernel.masking import mask_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class MigrationError(RuntimeError):
    """The database could not be brought to the current schema."""


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at ``catalog/migrations`` and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Apply every pending migration (idempotent: a current database is left as it is)."""
    try:
        command.upgrade(alembic_config(database_url), revision)
    except Exception as exc:  # noqa: BLE001 - re-raised as one boundary type with the cause attached
        raise MigrationError(f"could not migrate {mask_url(database_url)}: {exc}") from exc


def downgrade_database(database_url: str, revision: str = "base") -> None:
    """Undo migrations down to ``revision`` (``base`` drops every catalog table)."""
    command.downgrade(alembic_config(database_url), revision)


def has_catalog_tables(database_url: str) -> bool:
    """True when the ``parts`` table exists (created by migrations or ``create_all``)."""
    engine = make_engine(database_url)
    try:
        return inspect(engine).has_table("parts")
    finally:
        engine.dispose()
