"""JSON responses with ``ETag`` / ``If-None-Match`` (304) and the rate-limit headers.

Routes return plain dicts shaped like :mod:`webservice.api.schemas`; serialising them here with
ujson (no pydantic round-trip) keeps a search answer at a fraction of a millisecond.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timezone

import ujson
from fastapi import Request
from starlette.responses import Response

JSON = "application/json"


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags


def json_response(
    request: Request,
    data: object,
    *,
    status: int = 200,
    cache_control: str = "no-cache",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """``data`` as JSON; a GET whose ``If-None-Match`` matches the ETag gets an empty 304."""
    body = ujson.dumps(data, ensure_ascii=False, escape_forward_slashes=False).encode("utf-8")
    out = dict(getattr(request.state, "rate_headers", None) or {})
    out.update(headers or {})
    if request.method in ("GET", "HEAD") and status == 200:
        etag = etag_of(body)
        out.update({"ETag": etag, "Cache-Control": cache_control})
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=out)
    return Response(body, status_code=status, headers=out, media_type=JSON)


def iso_utc(moment: datetime | None) -> str | None:
    """RFC 3339 with an offset; SQLite hands back naive UTC timestamps (CURRENT_TIMESTAMP)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()
