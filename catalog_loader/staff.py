"""Staff commands around the assistant: release a human handoff, flush spooled leads.

    python -m catalog_loader handoff list
    python -m catalog_loader handoff release 971501234567 [--rasa-url http://localhost:5005]
    python -m catalog_loader leads flush-spool

``handoff release`` switches the bot back on in two places: ``customers.handoff_active`` in the
catalog database (read by the WhatsApp channel) and the paused Rasa conversation, through Rasa's
HTTP API (``POST /conversations/<id>/tracker/events`` with ``{"event": "resume"}``; the Rasa
server must run with ``--enable-api``; ``RASA_AUTH_TOKEN`` is sent as ``?token=`` when set).
"""

from __future__ import annotations

import os

import httpx
import typer
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from catalog.leads import LeadError, set_handoff
from catalog.schema import Customer
from catalog.settings import Settings
from shopkernel.db import make_engine, make_session_factory, session_scope
from shopkernel.masking import mask_phone

EXIT_RASA = 5
EXIT_DATABASE = 4
DEFAULT_RASA_URL = "http://localhost:5005"

handoff_app = typer.Typer(help="Human handoff: list customers waiting for staff, give them back to the bot.")
leads_app = typer.Typer(help="Leads written while the database was down (the spool).")


def resume_conversation(
    rasa_url: str, conversation_id: str, token: str | None = None, timeout: float = 10.0
) -> None:
    """Un-pause a Rasa conversation paused by action_handoff. Raises httpx.HTTPError."""
    params = {"token": token} if token else None
    url = f"{rasa_url.rstrip('/')}/conversations/{conversation_id}/tracker/events"
    response = httpx.post(url, json={"event": "resume"}, params=params, timeout=timeout)
    response.raise_for_status()


@handoff_app.command("release")
def release(
    customer_id: str = typer.Argument(
        ..., help="The customer's channel id (WhatsApp wa_id = Rasa sender id)."
    ),
    rasa_url: str = typer.Option(
        os.environ.get("RASA_URL", DEFAULT_RASA_URL), "--rasa-url", help="Rasa server with --enable-api."
    ),
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $DATABASE_URL."),
) -> None:
    """Give the conversation back to the bot (database flag and Rasa tracker)."""
    url = database_url or Settings.from_env().database_url
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            set_handoff(session, customer_id, False)
    except (SQLAlchemyError, LeadError) as exc:
        typer.echo(f"Error: could not update the customer in the database: {exc}", err=True)
        raise typer.Exit(EXIT_DATABASE) from exc
    finally:
        engine.dispose()
    try:
        resume_conversation(rasa_url, customer_id, os.environ.get("RASA_AUTH_TOKEN"))
    except httpx.HTTPError as exc:
        typer.echo(
            f"Database updated, but Rasa at {rasa_url} did not resume the conversation ({exc}). "
            "Run the command again when Rasa is up.",
            err=True,
        )
        raise typer.Exit(EXIT_RASA) from exc
    typer.echo(f"released {mask_phone(customer_id)}: the bot answers this customer again")


@handoff_app.command("list")
def list_handoffs(
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $DATABASE_URL."),
) -> None:
    """Customers currently handled by staff (the bot is silent for them)."""
    engine = make_engine(database_url or Settings.from_env().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = session.execute(
                select(Customer.channel_user_id, Customer.name, Customer.handoff_since)
                .where(Customer.handoff_active.is_(True))
                .order_by(Customer.handoff_since)
            ).all()
    except SQLAlchemyError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(EXIT_DATABASE) from exc
    finally:
        engine.dispose()
    if not rows:
        typer.echo("no customer is waiting for staff")
    for channel_user_id, name, since in rows:
        typer.echo(f"{channel_user_id}\t{name or '-'}\tsince {since}")


@leads_app.command("flush-spool")
def flush_spool_command(
    database_url: str | None = typer.Option(None, "--database-url", help="Default: $DATABASE_URL."),
) -> None:
    """Write the leads kept in the spool file while the database was down."""
    from catalog.lead_spool import LeadSpool, flush_spool

    settings = Settings.from_env()
    engine = make_engine(database_url or settings.database_url)
    try:
        written, pending = flush_spool(make_session_factory(engine), LeadSpool(settings.lead_spool_path))
    finally:
        engine.dispose()
    typer.echo(f"{written} spooled lead(s) written, {pending} still waiting ({settings.lead_spool_path})")
    if pending:
        raise typer.Exit(EXIT_DATABASE)


def register(app: typer.Typer) -> None:
    app.add_typer(handoff_app, name="handoff")
    app.add_typer(leads_app, name="leads")
