"""Sign-in, sign-out and the staff member's own settings (language, password)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from accounts import staff as accounts
from accounts.staff import SignedIn, SignInError, StaffError
from webservice.console.rendering import ConsoleRoute, error_page, render
from webservice.console.security import (
    SIGNIN_CSRF_COOKIE,
    check_csrf,
    clear_session_cookie,
    client_address,
    require_staff,
    safe_next,
    set_session_cookie,
    set_signin_csrf_cookie,
    signin_csrf,
)
from webservice.console.state import console_state
from webservice.console.ui import NavItem

router = APIRouter(route_class=ConsoleRoute)
NAV = [NavItem("nav.account", "/console/account", ("agent", "designer"), order=90, icon="user")]
any_staff = require_staff("agent", "designer")


@router.get("/console")
@router.get("/console/")
def home(staff: SignedIn = Depends(any_staff)) -> Response:
    """Agents land on the leads inbox; designers on the first page their role has."""
    target = "/console/account"
    if staff.has_role("agent"):
        target = "/console/leads"
    elif staff.has_role("designer"):
        target = "/console/review"
    return RedirectResponse(target, 303)


@router.get("/console/sign-in")
def sign_in_page(request: Request, next: str = "/console/") -> Response:  # noqa: A002 - query name
    token = signin_csrf(request)
    response = render(request, "console/sign_in.html", {"signin_csrf": token, "next": safe_next(next)})
    set_signin_csrf_cookie(response, request, console_state(request), token)
    if request.query_params.get("lang") in ("en", "ar"):  # remembered until the staff member signs in
        response.set_cookie("console_lang", request.query_params["lang"], path="/console", samesite="lax")
    return response


@router.post("/console/sign-in")
async def sign_in(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form("/console/"),  # noqa: A002 - form field name
    csrf_token: str = Form(""),
) -> Response:
    state = console_state(request)
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE) or ""
    if not expected:
        return error_page(request, 403, "csrf")
    await check_csrf(request, expected)
    address = client_address(request)
    agent = request.headers.get("user-agent", "")
    try:
        token = await run_in_threadpool(_sign_in, state, username, password, address, agent)
    except SignInError as exc:
        context = {
            "signin_csrf": expected, "next": safe_next(next), "username": username, "error": exc.reason,
        }
        status = 429 if exc.reason in ("locked", "blocked") else 401
        return render(request, "console/sign_in.html", context, status_code=status)
    response = RedirectResponse(safe_next(next), 303)
    set_session_cookie(response, request, state, token)
    response.delete_cookie(SIGNIN_CSRF_COOKIE, path="/console")
    return response


def _sign_in(state, username: str, password: str, address: str, agent: str) -> str:  # noqa: ANN001
    """Check the password and open a session; failures are committed so lock-out counts them."""
    session = state.session_factory()
    try:
        user = accounts.authenticate(session, username, password, address)
        token = accounts.start_session(session, user, address, agent)
        session.commit()
        return token
    except SignInError:
        session.commit()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@router.post("/console/sign-out")
def sign_out(request: Request, staff: SignedIn = Depends(any_staff)) -> Response:
    state = console_state(request)
    with state.db() as session:
        accounts.end_session(session, staff.token_hash)
    response = RedirectResponse("/console/sign-in", 303)
    clear_session_cookie(response, request, state)
    return response


@router.get("/console/account")
def account_page(request: Request, staff: SignedIn = Depends(any_staff)) -> Response:
    return render(request, "console/account.html", {})


@router.post("/console/account/language")
def set_language(
    request: Request, lang: str = Form(""), back: str = Form("/console/"),
    staff: SignedIn = Depends(any_staff),
) -> Response:
    state = console_state(request)
    with state.db() as session:
        user = session.get(accounts.StaffUser, staff.user_id)
        try:
            accounts.set_language(session, user, lang)
        except StaffError:
            return error_page(request, 400, "bad_request")
    return RedirectResponse(safe_next(back), 303)


@router.post("/console/account/password")
def change_password(
    request: Request,
    current_password: str = Form(""),
    new_password: str = Form(""),
    confirm_password: str = Form(""),
    staff: SignedIn = Depends(any_staff),
) -> Response:
    state = console_state(request)
    error = None
    with state.db() as session:
        user = session.get(accounts.StaffUser, staff.user_id)
        if not accounts.verify_password(user, current_password):
            error = "account.error.current_password"
        elif new_password != confirm_password:
            error = "account.error.mismatch"
        else:
            try:
                accounts.set_password(session, user, new_password)
            except StaffError:
                error = "account.error.short"
    if error:
        return render(request, "console/account.html", {"error": error}, status_code=400)
    response = RedirectResponse("/console/sign-in?changed=1", 303)
    clear_session_cookie(response, request, state)
    return response
