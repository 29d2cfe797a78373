"""Admin pages: staff accounts (create, role, disable, reset password, end sessions) and API keys."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from accounts import api_keys
from accounts import staff as accounts
from accounts.staff import ROLES, SignedIn, StaffError
from webservice.console.rendering import ConsoleRoute, render
from webservice.console.security import require_staff
from webservice.console.state import console_state
from webservice.console.ui import NavItem

router = APIRouter(route_class=ConsoleRoute)
NAV = [NavItem("nav.staff", "/console/admin/staff", ("admin",), order=80, icon="users")]
admin_only = require_staff("admin")


def _page(request: Request, status_code: int = 200, **context) -> Response:  # noqa: ANN003
    state = console_state(request)
    with state.db() as session:
        users = accounts.list_users(session)
        sessions = {u.id: len(accounts.open_sessions(session, u)) for u in users}
    return render(
        request, "console/admin_staff.html",
        {"users": users, "open_sessions": sessions, "roles": ROLES, "form": {}, **context},
        status_code=status_code,
    )


@router.get("/console/admin/staff")
def staff_page(request: Request, staff: SignedIn = Depends(admin_only)) -> Response:
    return _page(request)


@router.post("/console/admin/staff")
def create_staff(
    request: Request,
    username: str = Form(""),
    display_name: str = Form(""),
    role: str = Form("agent"),
    lang: str = Form("en"),
    staff: SignedIn = Depends(admin_only),
) -> Response:
    """A new account with a generated password, shown once to the admin to hand over."""
    password = accounts.generate_password()
    form = {"username": username, "display_name": display_name, "role": role, "lang": lang}
    try:
        with console_state(request).db() as session:
            user = accounts.create_user(session, username, password, role, display_name, lang)
            name = user.username
    except StaffError as exc:
        return _page(request, 400, error=str(exc), form=form)
    return _page(request, 201, created={"username": name, "password": password})


@router.post("/console/admin/staff/{user_id}")
def update_staff(
    request: Request,
    user_id: int,
    action: str = Form(""),
    role: str = Form(""),
    staff: SignedIn = Depends(admin_only),
) -> Response:
    """One change to an account: ``role``, ``disable``, ``enable``, ``reset``, ``end_sessions``."""
    shown: dict = {}
    try:
        with console_state(request).db() as session:
            user = session.get(accounts.StaffUser, user_id)
            if user is None:
                raise HTTPException(404)
            if action == "role":
                accounts.set_role(session, user, role)
            elif action in ("disable", "enable"):
                if user.id == staff.user_id and action == "disable":
                    raise StaffError("you cannot disable your own account")
                accounts.set_disabled(session, user, action == "disable")
            elif action == "reset":
                password = accounts.generate_password()
                accounts.set_password(session, user, password)
                shown = {"created": {"username": user.username, "password": password, "reset": True}}
            elif action == "end_sessions":
                accounts.revoke_sessions(session, user)
            else:
                raise StaffError(f"unknown action {action!r}")
    except StaffError as exc:
        return _page(request, 400, error=str(exc))
    if shown:
        return _page(request, **shown)
    if user_id == staff.user_id and action in ("end_sessions",):
        return RedirectResponse("/console/sign-in", 303)
    return RedirectResponse("/console/admin/staff", 303)


# --------------------------------------------------------------------------- API keys
NAV.append(NavItem("nav.api_keys", "/console/admin/api-keys", ("admin",), order=85, icon="key"))


def _keys_page(request: Request, status_code: int = 200, **context) -> Response:  # noqa: ANN003
    with console_state(request).db() as session:
        keys = api_keys.list_keys(session)
    return render(
        request, "console/admin_api_keys.html",
        {"keys": keys, "scopes": api_keys.SCOPES, "form": {}, **context}, status_code=status_code,
    )


@router.get("/console/admin/api-keys")
def api_keys_page(request: Request, staff: SignedIn = Depends(admin_only)) -> Response:
    return _keys_page(request)


@router.post("/console/admin/api-keys")
async def create_api_key(request: Request, staff: SignedIn = Depends(admin_only)) -> Response:
    """A new key for the website or a partner; the secret is shown once, only its hash is kept."""
    form = await request.form()
    name = str(form.get("name") or "")
    scopes = [str(s) for s in form.getlist("scopes")]
    try:
        with console_state(request).db() as session:
            new = api_keys.create_key(session, name, scopes)
    except api_keys.ApiKeyError as exc:
        return _keys_page(request, 400, error=str(exc), form={"name": name, "scopes": scopes})
    return _keys_page(request, 201, created={"name": new.info.name, "secret": new.secret})


@router.post("/console/admin/api-keys/{key_id}/revoke")
def revoke_api_key(request: Request, key_id: str, staff: SignedIn = Depends(admin_only)) -> Response:
    try:
        with console_state(request).db() as session:
            api_keys.revoke_key(session, key_id)
    except api_keys.ApiKeyError:
        raise HTTPException(404) from None
    return RedirectResponse("/console/admin/api-keys", 303)
