"""``python -m catalog_loader privacy erase|retention|pending``: customers' data (docs/privacy.md).

Exit codes: 0 done, 2 bad command line or refused confirmation, 4 database problem.
"""

from __future__ import annotations

import json

import typer
from sqlalchemy import select

from catalog.schema import PrivacyErasure
from catalog_loader.exits import EXIT_USAGE, command_errors
from privacy.erase import ErasureError, erase_customer, finish_pending
from privacy.retention import apply_retention
from privacy.settings import PrivacyConfigError, PrivacySettings
from shopkernel.db import make_engine

privacy_app = typer.Typer(help="Customers' data: erase one customer, apply the retention limits.")


def register(app: typer.Typer) -> None:
    app.add_typer(privacy_app, name="privacy")


def _engines(settings: PrivacySettings):  # noqa: ANN202 - (catalog engine, tracker engine or None)
    tracker = make_engine(settings.tracker_db_url) if settings.tracker_db_url else None
    return make_engine(settings.database_url), tracker


def _settings() -> PrivacySettings:
    with command_errors(PrivacyConfigError):
        return PrivacySettings.from_env()


@privacy_app.command("erase")
def erase_command(
    customer: str = typer.Argument(..., help="The customer's WhatsApp number / Rasa sender id."),
    by: str = typer.Option(..., "--by", help="Who asks (your name): kept in the audit trail."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Delete the conversation and vehicles, anonymise leads and staff messages of one customer."""
    if not yes and not typer.confirm(f"Erase all data of {customer}? This cannot be undone"):
        raise typer.Exit(EXIT_USAGE)
    settings = _settings()
    catalog, tracker = _engines(settings)
    with command_errors(ErasureError, database_hint="; nothing was changed"):
        report = erase_customer(catalog, tracker, customer, requested_by=f"staff:{by}", idle_seconds=0)
    typer.echo(json.dumps(report.to_dict(), indent=2))


@privacy_app.command("retention")
def retention_command() -> None:
    """Apply the retention limits (RETENTION_* variables); run daily by partsbot-retention.timer."""
    settings = _settings()
    catalog, tracker = _engines(settings)
    with command_errors():
        report = apply_retention(settings, catalog, tracker)
    typer.echo(json.dumps(report.to_dict(), indent=2))


@privacy_app.command("pending")
def pending_command() -> None:
    """Finish erasures still waiting for their conversation, and list the audit trail."""
    settings = _settings()
    catalog, tracker = _engines(settings)
    table = PrivacyErasure.__table__
    with command_errors():
        finished = finish_pending(catalog, tracker, idle_seconds=settings.erase_idle_seconds)
        with catalog.connect() as conn:
            rows = conn.execute(select(table).order_by(table.c.id.desc()).limit(50)).all()
    typer.echo(f"finished now: {finished}")
    for row in rows:
        state = "done" if row.completed_at else "waiting for the conversation"
        typer.echo(
            f"{row.id}  {row.requested_at:%Y-%m-%d %H:%M}  {row.requested_by:<20} {row.pseudonym}  {state}"
        )
