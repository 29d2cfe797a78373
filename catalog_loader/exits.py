"""One rule for how a staff command fails: a readable line on stderr and a documented exit code.

Every command group of ``python -m catalog_loader`` uses the same codes, so a script or a
systemd unit can tell "you typed something wrong" (2) from "the database is not there" (4)
without reading the message. Never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from catalog.settings import Settings
from shopkernel.db import make_engine, make_session_factory, session_scope

EXIT_USAGE = 2  # bad input: unknown account, taken name, bad scope
EXIT_DATABASE = 4  # the database cannot be reached or has no tables

T = TypeVar("T")


@contextmanager
def command_errors(*usage_errors: type[Exception], database_hint: str = "") -> Iterator[None]:
    """Turn ``usage_errors`` into exit 2 and database errors into exit 4, one line each."""
    try:
        yield
    except usage_errors as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    except SQLAlchemyError as exc:
        typer.echo(f"Error: database not usable ({type(exc).__name__}){database_hint}", err=True)
        raise typer.Exit(EXIT_DATABASE) from exc


def run_in_session(
    database_url: str | None, work: Callable[[Session], T], *usage_errors: type[Exception]
) -> T:
    """Run ``work`` in one committed session on ``database_url`` (default: ``$DATABASE_URL``)."""
    engine = make_engine(database_url or Settings.from_env().database_url)
    try:
        with (
            command_errors(*usage_errors, database_hint="; run `init-db` first"),
            session_scope(make_session_factory(engine)) as session,
        ):
            return work(session)
    finally:
        engine.dispose()
