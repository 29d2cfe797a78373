"""CORS for ``/api/`` only: origins listed in ``API_CORS_ORIGINS`` get the headers, others none.

Starlette's CORSMiddleware does the work; this wrapper keeps it off the staff console (which
must never be readable cross-origin). No credentials: the API authenticates with a header key,
never cookies.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

EXPOSED = [
    "ETag",
    "Link",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Idempotent-Replayed",
]
ALLOWED_HEADERS = ["Content-Type", "Idempotency-Key", "X-API-Key", "Authorization", "If-None-Match"]


class ApiCORSMiddleware:
    def __init__(self, app: ASGIApp, origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=list(origins),
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED,
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
