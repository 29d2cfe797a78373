"""Opaque cursors for ranked result pages, and the ``Link: <...>; rel="next"`` header.

A cursor holds the position in the ranked list and a short hash of the query it belongs to:
passing it with a different query is refused (422) instead of silently showing the wrong page.
The ranking is deterministic (it ends on the part id), so page 2 follows page 1 exactly while the
catalog does not change in between.
"""

from __future__ import annotations

import base64
import hashlib
import json

from starlette.datastructures import URL

from webservice.api.errors import ApiProblem


def query_hash(params: dict[str, object]) -> str:
    text = json.dumps({k: v for k, v in sorted(params.items()) if v not in (None, "", False)}, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


def encode_cursor(offset: int, params_hash: str) -> str:
    raw = json.dumps({"o": offset, "q": params_hash}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, params_hash: str) -> int:
    """The offset the cursor points at (0 without a cursor); 422 for a foreign or broken cursor."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset = int(data["o"])
        owner = str(data["q"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _bad("cursor is not one this API gave out; start again without it") from exc
    if owner != params_hash:
        raise _bad("cursor belongs to a different query; send it with the same filters as before")
    if offset < 0:
        raise _bad("cursor is not one this API gave out; start again without it")
    return offset


def next_link(url: URL, cursor: str) -> str:
    return f'<{url.include_query_params(cursor=cursor)}>; rel="next"'


def _bad(message: str) -> ApiProblem:
    return ApiProblem(
        422, f"cursor: {message}", errors=[{"field": "cursor", "in": "query", "message": message}]
    )
