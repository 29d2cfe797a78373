"""Staff accounts of the console from the command line (the first admin in production).

    python -m catalog_loader users create maryam --role agent --name "Maryam Al Falasi" [--lang ar]
    python -m catalog_loader users list
    python -m catalog_loader users disable maryam        # sessions end at once
    python -m catalog_loader users enable maryam
    python -m catalog_loader users reset-password maryam # prints a new password once
    python -m catalog_loader users bootstrap             # first admin if there is no account yet

Passwords are generated and printed once (or read from stdin with ``--password-stdin``, for
scripts); never passed as an argument, where they would end up in the shell history.
Exit codes: 0 done, 2 bad input (unknown account, taken name, bad role), 4 database problem.
"""

from __future__ import annotations

import sys

import typer

from accounts import staff as accounts
from accounts.staff import StaffError
from catalog_loader.exits import run_in_session

users_app = typer.Typer(help="Console staff accounts: create, list, disable, reset passwords.")
DatabaseUrl = typer.Option(None, "--database-url", help="SQLAlchemy URL; default: $DATABASE_URL.")


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group to the loader CLI."""
    app.add_typer(users_app, name="users")


def _run(database_url: str | None, work):  # noqa: ANN001, ANN202 - a callable on a Session
    return run_in_session(database_url, work, StaffError)


def _password(from_stdin: bool) -> tuple[str, bool]:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return accounts.generate_password(), True


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="Sign-in name: lower-case letters, digits, . _ -"),
    role: str = typer.Option("agent", "--role", help="agent, designer or admin."),
    name: str = typer.Option("", "--name", help="Full name shown in the console."),
    lang: str = typer.Option("en", "--lang", help="Console language: en or ar."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Create an account; prints its generated password once."""
    password, generated = _password(password_stdin)
    user = _run(
        database_url, lambda s: accounts.create_user(s, username, password, role, name, lang).username
    )
    typer.echo(f"created {user} ({role})")
    if generated:
        typer.echo(f"password: {password}")


@users_app.command("list")
def list_(database_url: str | None = DatabaseUrl) -> None:
    """Every account with its role and state."""
    rows = _run(
        database_url,
        lambda s: [
            (u.username, u.role, "disabled" if u.disabled else "active", u.display_name, u.last_sign_in_at)
            for u in accounts.list_users(s)
        ],
    )
    for username, role, state, display, last in rows:
        seen = last.strftime("%Y-%m-%d %H:%M") if last else "never"
        typer.echo(f"{username:<20} {role:<9} {state:<9} last sign-in {seen:<16}  {display}")
    if not rows:
        typer.echo("no accounts yet: python -m catalog_loader users create NAME --role admin")


@users_app.command("disable")
def disable(username: str, database_url: str | None = DatabaseUrl) -> None:
    """Disable an account; its sessions end at once."""
    _run(database_url, lambda s: accounts.set_disabled(s, accounts.get_user(s, username), True))
    typer.echo(f"disabled {username}")


@users_app.command("enable")
def enable(username: str, database_url: str | None = DatabaseUrl) -> None:
    _run(database_url, lambda s: accounts.set_disabled(s, accounts.get_user(s, username), False))
    typer.echo(f"enabled {username}")


@users_app.command("reset-password")
def reset_password(
    username: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """New password (printed once); every session of the account ends."""
    password, generated = _password(password_stdin)
    _run(database_url, lambda s: accounts.set_password(s, accounts.get_user(s, username), password))
    typer.echo(f"password of {username} reset" + (f": {password}" if generated else ""))


@users_app.command("bootstrap")
def bootstrap(
    username: str = typer.Option("admin", "--username"), database_url: str | None = DatabaseUrl
) -> None:
    """First start: create an admin and print its password, only when no account exists."""
    password = accounts.generate_password()

    def work(session) -> bool:  # noqa: ANN001
        if accounts.has_any_user(session):
            return False
        accounts.create_user(session, username, password, "admin", "Admin")
        return True

    if _run(database_url, work):
        typer.echo(f"console admin created: user {username}, password {password} (shown once;")
        typer.echo("  change it under My account, or: python -m catalog_loader users reset-password admin)")
