"""``python -m simulator graph`` (fake Graph API) and ``python -m simulator chat`` (customer terminal)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os

import typer

from simulator import webhooks

app = typer.Typer(
    add_completion=False, help="Chat with the assistant through the real WhatsApp connector, offline."
)


@app.command()
def graph(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8999, help="Port; point WHATSAPP_GRAPH_BASE_URL at it."),
    webhook: str = typer.Option("", help="Bot webhook URL (the chat also sets it)."),
    statuses: bool = typer.Option(True, help="Send sent/delivered status webhooks like Meta."),
) -> None:
    """Run the fake Graph API. Reads WHATSAPP_APP_SECRET (to sign webhooks), WHATSAPP_ACCESS_TOKEN
    (to check the bearer token; any token if unset) and WHATSAPP_PHONE_NUMBER_ID."""
    from simulator.graph_server import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    secret = os.environ.get("WHATSAPP_APP_SECRET", "")
    if not secret:
        typer.echo(
            "warning: WHATSAPP_APP_SECRET is not set; webhooks will carry an empty-key signature", err=True
        )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve(
                host,
                port,
                access_token=os.environ.get("WHATSAPP_ACCESS_TOKEN", ""),
                app_secret=secret,
                webhook_url=webhook,
                phone_number_id=os.environ.get("WHATSAPP_PHONE_NUMBER_ID")
                or webhooks.DEFAULT_PHONE_NUMBER_ID,
                send_statuses=statuses,
            )
        )


@app.command()
def chat(
    webhook: str = typer.Option(
        "http://localhost:5005/webhooks/whatsapp/webhook", help="The bot's webhook URL."
    ),
    graph_url: str = typer.Option("http://localhost:8999", "--graph", help="The fake Graph API's URL."),
    phone: str = typer.Option("971501234567", help="Your pretend WhatsApp number (digits, no +)."),
    name: str = typer.Option("Test Customer", help="Your WhatsApp profile name."),
) -> None:
    """Type as a customer; see the bot's replies, buttons and lists."""
    from simulator.chat import ChatError, run_chat

    try:
        asyncio.run(run_chat(graph_url, webhook, phone, name))
    except ChatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()
