"""Graph API error types and what to do about each code (retry, template, alert, give up)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class RetryPolicy(enum.Enum):
    """How the client reacts to one failed call."""

    RETRY = "retry"  # transient: exponential backoff with jitter
    RETRY_PAIR_RATE = "retry_pair_rate"  # 131056: same recipient too fast, wait >= 6 s
    WINDOW_CLOSED = "window_closed"  # 131047: only an approved template can go out
    AUTH = "auth"  # 190: token expired or invalid, a human must rotate it
    PERMANENT = "permanent"  # bad request, undeliverable, policy: never retry


RETRYABLE_CODES = frozenset({130429, 131000, 1, 2, 131016, 4, 80007})
NEVER_RETRY_CODES = frozenset({131047, 131026, 190, 131048, 131049, 131062, 368, 131031, 131030})
WINDOW_CLOSED_CODE = 131047
PAIR_RATE_CODE = 131056
AUTH_CODE = 190
NETWORK_ERROR_CODE = -1  # our own marker for "no HTTP answer at all"


@dataclass(eq=False)
class GraphApiError(Exception):
    """A call to the Graph API failed; ``code`` is Meta's error code when it sent one."""

    code: int | None
    message: str
    http_status: int | None = None
    details: str = ""
    subcode: int | None = None
    fbtrace_id: str = ""
    attempts: int = 1

    def __str__(self) -> str:
        parts = [f"Graph API error {self.code}", self.message]
        if self.details:
            parts.append(self.details)
        if self.http_status:
            parts.append(f"HTTP {self.http_status}")
        return " | ".join(parts)

    @property
    def policy(self) -> RetryPolicy:
        return classify(self.code, self.http_status)

    @classmethod
    def from_response(cls, http_status: int, payload: Any) -> GraphApiError:
        """Build from Meta's ``{"error": {message, type, code, error_data, ...}}`` shape."""
        error = payload.get("error") if isinstance(payload, dict) else None
        if not isinstance(error, dict):
            return cls(
                code=None, message=f"unexpected response body: {str(payload)[:200]}", http_status=http_status
            )
        data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
        return cls(
            code=_int(error.get("code")),
            message=str(error.get("message") or ""),
            http_status=http_status,
            details=str(data.get("details") or ""),
            subcode=_int(error.get("error_subcode")),
            fbtrace_id=str(error.get("fbtrace_id") or ""),
        )


class GraphNetworkError(GraphApiError):
    """No usable HTTP answer (connection refused, timeout, reset)."""

    def __init__(self, message: str) -> None:
        super().__init__(code=NETWORK_ERROR_CODE, message=message)


class MediaFetchError(Exception):
    """Base for media download failures the media pipeline may want to tell apart."""


class MediaTooLargeError(MediaFetchError):
    """The file is over the size limit for its kind (checked on metadata and while streaming)."""


class MediaNotFoundError(MediaFetchError):
    """Meta does not know the media id (expired after 7 days, or never existed)."""


class MediaDownloadError(MediaFetchError):
    """Any other failure fetching the metadata or the bytes."""


def classify(code: int | None, http_status: int | None) -> RetryPolicy:
    """Map Meta's error code (and, when absent, the HTTP status) to a policy."""
    if code == WINDOW_CLOSED_CODE:
        return RetryPolicy.WINDOW_CLOSED
    if code == AUTH_CODE:
        return RetryPolicy.AUTH
    if code == PAIR_RATE_CODE:
        return RetryPolicy.RETRY_PAIR_RATE
    if code in NEVER_RETRY_CODES:
        return RetryPolicy.PERMANENT
    if code in RETRYABLE_CODES or code == NETWORK_ERROR_CODE:
        return RetryPolicy.RETRY
    if http_status is not None and (http_status >= 500 or http_status == 429):
        return RetryPolicy.RETRY
    if http_status == 401:
        return RetryPolicy.AUTH
    return RetryPolicy.PERMANENT


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
