"""Async Graph API client: send messages, mark as read, download media.

httpx (not aiohttp) because it offers per-phase timeouts, a streaming response API
that makes the media size limit easy to enforce chunk by chunk, and a client that
binds to no event loop when constructed. The access token only ever appears in the
Authorization header; nothing here logs it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.whatsapp.errors import (
    GraphApiError,
    GraphNetworkError,
    MediaDownloadError,
    MediaNotFoundError,
    MediaTooLargeError,
    RetryPolicy,
)
from connectors.whatsapp.redact import mask_id
from connectors.whatsapp.settings import WhatsAppSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    """Meta accepted the message (accepted is not delivered: see statuses)."""

    message_id: str
    attempts: int


@dataclass(frozen=True)
class MediaInfo:
    media_id: str
    url: str
    mime_type: str
    sha256: str
    file_size: int | None


@dataclass(frozen=True)
class DownloadedMedia:
    """The bytes of a customer's photo or voice note, ready for the media pipeline."""

    media_id: str
    data: bytes
    mime_type: str
    sha256: str


class GraphClient:
    """One per channel; create inside the running event loop, close with :meth:`aclose`."""

    def __init__(self, settings: WhatsAppSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        timeout = httpx.Timeout(
            settings.http_timeout_seconds, connect=min(5.0, settings.http_timeout_seconds)
        )
        self._http = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {settings.access_token}"},
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send_message(self, payload: dict[str, Any]) -> SendResult:
        """POST a message object, retrying transient failures; raise :class:`GraphApiError`."""
        recipient = mask_id(payload.get("to") or payload.get("recipient"))
        attempts = self._settings.max_send_attempts
        for attempt in range(1, attempts + 1):
            try:
                body = await self._post_messages(payload)
            except GraphApiError as exc:
                exc.attempts = attempt
                policy = exc.policy
                retryable = policy in (RetryPolicy.RETRY, RetryPolicy.RETRY_PAIR_RATE)
                if not retryable or attempt == attempts:
                    raise
                delay = self.backoff_delay(attempt, policy)
                logger.warning(
                    "Send to %s failed (code %s, attempt %d/%d); retrying in %.2fs",
                    recipient,
                    exc.code,
                    attempt,
                    attempts,
                    delay,
                )
                await asyncio.sleep(delay)
                continue
            message_id = _first_message_id(body)
            logger.debug("Sent %s message to %s as %s", payload.get("type"), recipient, message_id)
            return SendResult(message_id=message_id, attempts=attempt)
        raise AssertionError("unreachable")  # the loop returns or raises

    async def mark_read(self, message_id: str, typing: bool = True) -> None:
        """Blue ticks plus "typing…" (shown until we reply, at most 25 s). One attempt only."""
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
        }
        if typing:
            payload["typing_indicator"] = {"type": "text"}
        await self._post_messages(payload)

    def backoff_delay(self, attempt: int, policy: RetryPolicy) -> float:
        """Exponential backoff with jitter; the pair rate limit never waits less than its base."""
        s = self._settings
        if policy is RetryPolicy.RETRY_PAIR_RATE:
            base = s.pair_rate_delay * (2 ** (attempt - 1))
            return min(max(s.retry_max_delay, s.pair_rate_delay), base) + random.uniform(
                0, s.pair_rate_delay / 2
            )
        ceiling = min(s.retry_max_delay, s.retry_base_delay * (2 ** (attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    async def _post_messages(self, payload: dict[str, Any]) -> Any:
        try:
            # ASCII JSON: lone surrogates or odd characters from upstream text cannot break encoding.
            content = json.dumps(payload, ensure_ascii=True).encode("ascii")
            response = await self._http.post(
                self._settings.messages_url, content=content, headers={"Content-Type": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise GraphNetworkError(f"{type(exc).__name__}: {exc}") from None
        return _json_or_error(response)

    async def media_info(self, media_id: str) -> MediaInfo:
        """Step 1 of a download: the short-lived URL and the declared size."""
        try:
            response = await self._http.get(self._settings.media_url(media_id))
        except httpx.HTTPError as exc:
            raise MediaDownloadError(f"media {media_id}: {type(exc).__name__}: {exc}") from None
        try:
            body = _json_or_error(response)
        except GraphApiError as exc:
            if response.status_code == 404 or exc.code in (100, 131052):
                raise MediaNotFoundError(f"media {media_id}: {exc}") from None
            raise MediaDownloadError(f"media {media_id}: {exc}") from None
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            raise MediaDownloadError(f"media {media_id}: metadata without a url")
        size = body.get("file_size")
        return MediaInfo(
            media_id=media_id,
            url=body["url"],
            mime_type=str(body.get("mime_type") or ""),
            sha256=str(body.get("sha256") or ""),
            file_size=int(size) if isinstance(size, (int, str)) and str(size).isdigit() else None,
        )

    async def download_media(self, media_id: str, max_bytes: int) -> DownloadedMedia:
        """Step 1 + step 2 (same bearer token), enforcing ``max_bytes`` before and while streaming."""
        info = await self.media_info(media_id)
        if info.file_size is not None and info.file_size > max_bytes:
            raise MediaTooLargeError(f"media {media_id} is {info.file_size} bytes; limit {max_bytes}")
        data = await self._stream_limited(info, max_bytes)
        digest = hashlib.sha256(data).hexdigest()
        if info.sha256 and info.sha256.lower() != digest:
            raise MediaDownloadError(f"media {media_id}: sha256 mismatch")
        return DownloadedMedia(media_id=media_id, data=data, mime_type=info.mime_type, sha256=digest)

    async def _stream_limited(self, info: MediaInfo, max_bytes: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        try:
            async with self._http.stream("GET", info.url) as response:
                if response.status_code != 200:
                    raise MediaDownloadError(
                        f"media {info.media_id}: download answered HTTP {response.status_code}"
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise MediaTooLargeError(f"media {info.media_id} is {declared} bytes; limit {max_bytes}")
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise MediaTooLargeError(f"media {info.media_id} exceeds the {max_bytes}-byte limit")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise MediaDownloadError(f"media {info.media_id}: {type(exc).__name__}: {exc}") from None
        return b"".join(chunks)


def _json_or_error(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400 or body is None:
        if body is None and response.status_code < 400:
            raise GraphApiError(code=None, message="response is not JSON", http_status=response.status_code)
        raise GraphApiError.from_response(response.status_code, body)
    return body


def _first_message_id(body: Any) -> str:
    try:
        return str(body["messages"][0]["id"])
    except (KeyError, IndexError, TypeError):
        return ""
