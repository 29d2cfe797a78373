"""Staff commands for the catalog vocabulary: ``vocabulary sync [--prune]`` and ``vocabulary parse``.

python -m catalog_loader vocabulary sync            # catalog/vocabulary/*.yml -> alias tables
python -m catalog_loader vocabulary sync --prune    # also delete spellings removed from the YAML
python -m catalog_loader vocabulary parse "فحمات لبرادو 2015"   # how a message is understood
"""

from __future__ import annotations

import typer

from catalog.settings import Settings
from catalog.vocabulary import SeedError, Vocabulary, sync_vocabulary
from shopkernel.db import make_engine, make_session_factory, session_scope

EXIT_BAD_SEED = 3
vocabulary_app = typer.Typer(help="The catalog vocabulary: spellings of makes, models and parts.")
DatabaseUrl = typer.Option(
    None, "--database-url", help="SQLAlchemy URL; default: $DATABASE_URL or SQLite var/catalog.db."
)


@vocabulary_app.command("sync")
def sync_command(
    prune: bool = typer.Option(False, "--prune", help="Also delete spellings removed from the YAML."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Copy catalog/vocabulary/*.yml into the alias tables (idempotent)."""
    engine = make_engine(database_url or Settings.from_env().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            report = sync_vocabulary(session, prune=prune)
    except SeedError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_SEED) from exc
    finally:
        engine.dispose()
    typer.echo(
        f"aliases added {report.aliases_added}, removed {report.aliases_removed}, "
        f"Arabic names set {report.arabic_names_set}; "
        f"{len(report.unmatched)} seed entries not in the catalog"
    )


@vocabulary_app.command("parse")
def parse_command(
    text: str = typer.Argument(..., help="A customer message."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Show how a customer message is understood (make, model, year, part, part number)."""
    engine = make_engine(database_url or Settings.from_env().database_url)
    try:
        with make_session_factory(engine)() as session:
            typer.echo(Vocabulary.load(session).parse(text))
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add the ``vocabulary`` command group to the staff CLI."""
    app.add_typer(vocabulary_app, name="vocabulary")
