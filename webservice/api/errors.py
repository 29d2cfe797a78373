"""Errors as RFC 9457 ``application/problem+json``: a clear ``detail``, never a stack trace.

Every error under ``/api`` goes through these handlers: validation (422, naming the field),
unknown routes and parts (404), wrong method (405), rate limits (429 with ``Retry-After``) and
anything unexpected (500 with a reference to the log line, not the exception).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

log = logging.getLogger("webservice.api")

PROBLEM = "application/problem+json"
API_PREFIX = "/api"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class ApiProblem(Exception):
    """Raise from a route or a dependency to answer with a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        type_: str = "about:blank",
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.headers = dict(headers or {})
        self.extra = extra


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": type_,
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM)


def field_name(loc: tuple | list) -> str:
    """``("query", "year")`` -> ``year``; ``("body", "customer", "phone")`` -> ``customer.phone``."""
    parts = [str(p) for p in loc if p not in ("query", "path", "header", "body", "cookie", "__root__")]
    return ".".join(parts) or "body"


def _in_api(request: Request) -> bool:
    return request.url.path == API_PREFIX or request.url.path.startswith(API_PREFIX + "/")


async def _on_problem(request: Request, exc: ApiProblem) -> Response:
    return problem_response(request, exc.status, exc.detail, type_=exc.type, headers=exc.headers, **exc.extra)


async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
    if not _in_api(request):
        return await request_validation_exception_handler(request, exc)
    errors = [
        {
            "field": field_name(e.get("loc", ())),
            "in": str((e.get("loc") or ("body",))[0]),
            "message": e.get("msg", ""),
        }
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "the request is not valid"
    return problem_response(request, 422, detail, errors=errors)


async def _on_http(request: Request, exc: StarletteHTTPException) -> Response:
    if not _in_api(request):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"there is no {request.url.path} in this API; see /api/v1/openapi.json"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    return problem_response(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def _on_database(request: Request, exc: Exception) -> Response:
    """The database is down or overloaded: 503 with Retry-After (a retry will probably work)."""
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    if not _in_api(request):
        return await _on_unexpected(request, exc)
    return problem_response(
        request,
        503,
        "the catalog is unavailable for a moment; try again shortly",
        headers={"Retry-After": "5"},
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    ref = uuid.uuid4().hex[:12]
    log.error("unexpected error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    if not _in_api(request):
        return Response("Internal Server Error", status_code=500, headers={"X-Error-Ref": ref})
    return problem_response(
        request, 500, f"something went wrong on our side (reference {ref})", reference=ref
    )


def install(app: FastAPI) -> None:
    """Register the handlers; non-API paths keep FastAPI's defaults (the console has its own)."""
    app.add_exception_handler(ApiProblem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(DBAPIError, _on_database)
    app.add_exception_handler(PoolTimeout, _on_database)
    app.add_exception_handler(Exception, _on_unexpected)
