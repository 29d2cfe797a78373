"""Rendering console pages, and turning every failure into a page staff can read.

``ConsoleRoute`` is the route class of every console router: a missing session becomes a
redirect to sign-in, an HTTP error or an unknown id a 403/404 page, a database outage a 503
page that says nothing was saved and shows what the agent typed — never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from accounts.staff import SignedIn
from webservice.console.security import CSRF_FIELD, SignInRequired
from webservice.console.state import console_state

log = logging.getLogger(__name__)

HIDDEN_FIELDS = {CSRF_FIELD, "password", "new_password", "current_password", "confirm_password"}


def page_lang(request: Request) -> str:
    """The staff member's language; before sign-in, ``?lang=`` or the browser's preference."""
    staff: SignedIn | None = getattr(request.state, "staff", None)
    if staff is not None:
        return staff.lang
    chosen = request.query_params.get("lang") or request.cookies.get("console_lang")
    if chosen in ("en", "ar"):
        return chosen
    accept = request.headers.get("accept-language", "")
    return "ar" if accept.lower().startswith("ar") else "en"


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """A console page; ``t``, ``staff``, ``lang``, ``dir``, ``nav`` and ``csrf_token`` are always set."""
    state = console_state(request)
    staff: SignedIn | None = getattr(request.state, "staff", None)
    lang = page_lang(request)

    def t(key: str, **values: Any) -> str:
        return state.text(key, lang, **values)

    nav = [item for item in sorted(state.nav, key=lambda i: i.order) if staff and staff.has_role(*item.roles)]
    base = {
        "request": request,
        "staff": staff,
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "t": t,
        "nav": nav,
        "path": request.url.path,
        "csrf_token": staff.csrf_token if staff else "",
    }
    base.update(context or {})
    return state.templates.TemplateResponse(request, template, base, status_code=status_code)


def error_page(
    request: Request, status_code: int, reason: str, kept: dict[str, str] | None = None
) -> Response:
    """The error page; ``reason`` is a UI text key (``error.<reason>.title`` and ``.body``)."""
    return render(
        request, "console/error.html", {"status": status_code, "reason": reason, "kept": kept or {}},
        status_code=status_code,
    )


class ConsoleRoute(APIRoute):
    """Route class for console routers: every failure is answered as a page (or 401 for data)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as exc:
                return RedirectResponse("/console/sign-in?" + urlencode({"next": exc.next_url}), 303)
            except HTTPException as exc:
                return _http_error(request, exc)
            except RequestValidationError:
                # a malformed id in the path (/console/leads/abc) is a page that does not exist
                return error_page(request, 404, "not_found")
            except (OperationalError, PoolTimeout, DBAPIError) as exc:
                log.error("console %s %s: database unavailable: %s", request.method, request.url.path,
                          type(exc).__name__)
                return error_page(request, 503, "database", await _typed(request))
            except Exception:
                log.exception("console %s %s failed", request.method, request.url.path)
                return error_page(request, 500, "internal", await _typed(request))

        return console_handler


def _http_error(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 401:
        return JSONResponse({"detail": exc.detail}, status_code=401)
    reason = {403: "forbidden", 404: "not_found", 405: "not_found"}.get(exc.status_code, "bad_request")
    if exc.status_code == 403 and exc.detail == "csrf":
        reason = "csrf"
    if getattr(request.state, "data_route", False):
        return JSONResponse({"detail": reason}, status_code=exc.status_code)
    return error_page(request, exc.status_code, reason)


async def _typed(request: Request) -> dict[str, str]:
    """What the agent typed into a form that could not be saved, to show it back."""
    if request.method in ("GET", "HEAD"):
        return {}
    try:
        form = await request.form()
    except Exception:  # noqa: BLE001 - an unreadable body has nothing to give back
        return {}
    return {k: v for k, v in form.items() if isinstance(v, str) and v.strip() and k not in HIDDEN_FIELDS}
