"""Who is asking: the session cookie, roles and CSRF checks every console route goes through.

``require_staff(*roles)`` is the one dependency a console route needs. Pages without a live
session are redirected to the sign-in page (``SignInRequired``); data routes
(``require_staff(data=True)``: SSE, CSV, JSON) answer 401 instead. Every unsafe request
(POST, PUT, PATCH, DELETE) must carry the session's CSRF token, in the form field ``csrf_token``
or the ``X-CSRF-Token`` header (for ``fetch``), or it gets 403. The cookie is ``HttpOnly``,
``SameSite=Lax`` and ``Secure`` when the request came over HTTPS (or ``CONSOLE_SECURE_COOKIE=always``).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool

from accounts.staff import SESSION_MAX, SignedIn, csrf_matches, resolve_session
from webservice.console.state import ConsoleState, console_state

SESSION_COOKIE = "console_session"
SIGNIN_CSRF_COOKIE = "console_signin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_PATH = "/console"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class SignInRequired(Exception):
    """A page was asked for without a live session: send the browser to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class NotSignedIn(HTTPException):
    """A data route was asked for without a live session."""

    def __init__(self) -> None:
        super().__init__(status_code=401, detail="sign in to the console first")


class CsrfRejected(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail="csrf")


class RoleRequired(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=403, detail="role")


def require_staff(*roles: str, data: bool = False) -> Callable[[Request], Awaitable[SignedIn]]:
    """A dependency giving the signed-in staff member; ``roles`` limits who may pass (admins always)."""

    async def dependency(request: Request) -> SignedIn:
        state = console_state(request)
        staff = await run_in_threadpool(_resolve, state, request.cookies.get(SESSION_COOKIE))
        if staff is None:
            if data:
                raise NotSignedIn()
            raise SignInRequired(_page_to_return_to(request))
        request.state.staff = staff
        if roles and not staff.has_role(*roles):
            raise RoleRequired()
        if request.method not in SAFE_METHODS:
            await check_csrf(request, staff.csrf_token)
        return staff

    return dependency


async def check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get(CSRF_HEADER)
    if given is None and _is_form(request):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_matches(expected, given):
        raise CsrfRejected()


def _resolve(state: ConsoleState, token: str | None) -> SignedIn | None:
    if not token:
        return None
    with state.db() as session:
        return resolve_session(session, token)


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def _page_to_return_to(request: Request) -> str:
    if request.method not in SAFE_METHODS:
        return "/console/"
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def safe_next(value: str | None) -> str:
    """Only console paths: a sign-in link must never send staff to another site."""
    if value and value.startswith("/console") and not value.startswith("//") and "\\" not in value:
        return value
    return "/console/"


# --------------------------------------------------------------------------- cookies
def secure_cookies(request: Request, state: ConsoleState) -> bool:
    mode = state.settings.console_secure_cookie
    if mode in {"always", "1", "true", "yes"}:
        return True
    if mode in {"never", "0", "false", "no"}:
        return False
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, state: ConsoleState, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_MAX.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, state),
    )


def clear_session_cookie(response: Response, request: Request, state: ConsoleState) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax", secure=secure_cookies(request, state)
    )


def signin_csrf(request: Request) -> str:
    """The sign-in form's token (double-submit cookie: there is no session yet)."""
    current = request.cookies.get(SIGNIN_CSRF_COOKIE)
    return current if current and 20 <= len(current) <= 64 else secrets.token_urlsafe(24)


def set_signin_csrf_cookie(response: Response, request: Request, state: ConsoleState, token: str) -> None:
    response.set_cookie(
        SIGNIN_CSRF_COOKIE,
        token,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, state),
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
