"""Staff commands for the public API's keys: ``api-keys create | list | revoke``.

python -m catalog_loader api-keys create website --scope leads:write   # prints the key ONCE
python -m catalog_loader api-keys create "Al Quoz Garage" --scope parts:read
python -m catalog_loader api-keys list                                  # ids, names, scopes, never secrets
python -m catalog_loader api-keys revoke 3f9a1c2b                        # stops working within 10 s

Keys are stored as SHA-256 hashes (accounts/api_keys.py says why); a lost key cannot be shown
again: revoke it and create a new one.
"""

from __future__ import annotations

import typer

from accounts.api_keys import SCOPES, ApiKeyError, create_key, list_keys, revoke_key
from catalog_loader.exits import run_in_session

api_keys_app = typer.Typer(help="Keys of the public parts API (/api/v1): create, list, revoke.")
DatabaseUrl = typer.Option(
    None, "--database-url", help="SQLAlchemy URL; default: $DATABASE_URL or SQLite var/catalog.db."
)


def _run(database_url: str | None, work):  # noqa: ANN001, ANN202 - a callable on a Session
    return run_in_session(database_url, work, ApiKeyError)


@api_keys_app.command("create")
def create_command(
    name: str = typer.Argument(..., help="Who the key is for: 'website', a garage's name."),
    scope: list[str] = typer.Option(  # noqa: B008 - typer's way
        [], "--scope", help=f"Repeatable; one of: {', '.join(sorted(SCOPES))}."
    ),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Create a key and print it once (it is stored only as a hash)."""
    new = _run(database_url, lambda s: create_key(s, name, scope))
    scopes = " ".join(sorted(new.info.scopes))
    typer.echo(f"API key for {new.info.name} (id {new.info.key_id}, scopes: {scopes}):")
    typer.echo("")
    typer.echo(f"    {new.secret}")
    typer.echo("")
    typer.echo("Copy it now: it is shown only once. Send it as the X-API-Key header.")


@api_keys_app.command("list")
def list_command(
    all_: bool = typer.Option(False, "--all", help="Also show revoked keys."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Keys with id, name, scopes, created, last used (never the secret)."""
    keys = _run(database_url, lambda s: list_keys(s, include_revoked=all_))
    if not keys:
        typer.echo("no API keys" + ("" if all_ else " (use --all to include revoked ones)"))
        return
    for key in keys:
        used = key.last_used_at.strftime("%Y-%m-%d %H:%M") if key.last_used_at else "never"
        state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d %H:%M}"
        typer.echo(
            f"{key.key_id}  {key.name:<24} {' '.join(sorted(key.scopes)):<24} "
            f"created {key.created_at:%Y-%m-%d}  last used {used}  {state}"
        )


@api_keys_app.command("revoke")
def revoke_command(
    key_id: str = typer.Argument(..., help="The 8-character id shown by `list` (or the whole key)."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Revoke a key: API calls with it are refused (401) within 10 seconds."""
    info = _run(database_url, lambda s: revoke_key(s, key_id))
    typer.echo(f"revoked {info.key_id} ({info.name})")


def register(app: typer.Typer) -> None:
    app.add_typer(api_keys_app, name="api-keys")
