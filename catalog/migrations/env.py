"""Alembic environment: one schema (catalog.schema.metadata) for SQLite and PostgreSQL.

The URL comes from, in order: a ``database_url`` attribute set by
:func:`catalog.migrate.upgrade_database`, ``-x database_url=...`` on the alembic
command line, then ``DATABASE_URL`` via :class:`catalog.settings.Settings`.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import accounts.api_keys  # noqa: F401 - registers api_keys on the same metadata
import accounts.staff  # noqa: F401 - registers the staff tables on the same metadata
from catalog.schema import metadata
from catalog.settings import Settings
from shopkernel.db import make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def _database_url() -> str:
    return (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("database_url")
        or Settings.from_env().database_url
    )


def _configure(**kwargs) -> None:
    url = kwargs.get("url") or kwargs["connection"].engine.url
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place: batch mode copies the table.
        render_as_batch=str(url).startswith("sqlite"),
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``) without a database."""
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
