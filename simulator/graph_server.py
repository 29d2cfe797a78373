"""A fake WhatsApp Cloud (Graph) API speaking Meta's real request and response formats.

Meta's side of the conversation, on this machine:

* ``POST /{version}/{phone_number_id}/messages`` validates sends like Meta (see
  validation.py), answers ``{messaging_product, contacts, messages:[{id}]}`` or
  ``{"error": {...}}``, records every accepted message, and can fail on purpose
  (``inject_error``), synchronously or as a later ``failed`` status webhook;
* ``GET /{version}/{media_id}`` and the download URL it returns serve registered files,
  both requiring the bearer token, as Meta does;
* ``POST /_sim/customer`` turns what a "customer" does into a signed webhook POST to
  the bot, exactly as Meta would deliver it;
* ``GET /_sim/messages`` lets the chat tool long-poll for the bot's replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from simulator import webhooks
from simulator.validation import MetaError, check_message, check_version

logger = logging.getLogger(__name__)

ERROR_TITLES = {
    1: ("API Unknown", 500),
    2: ("API Service", 503),
    4: ("Application request limit reached", 400),
    100: ("Invalid parameter", 400),
    190: ("Error validating access token: Session has expired", 401),
    368: ("Temporarily blocked for policies violations", 400),
    80007: ("Rate limit issues", 400),
    130429: ("Rate limit hit", 429),
    131000: ("Something went wrong", 500),
    131016: ("Service unavailable", 503),
    131026: ("Message undeliverable", 400),
    131047: ("Re-engagement message", 400),
    131048: ("Spam rate limit hit", 400),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", 400),
}


@dataclass
class SentMessage:
    """One message the bot sent, as Meta received it."""

    seq: int
    wamid: str
    payload: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def to(self) -> str:
        return str(self.payload.get("to") or self.payload.get("recipient") or "")

    @property
    def type(self) -> str:
        return str(self.payload.get("type") or "text")


@dataclass
class InjectedError:
    code: int
    times: int
    asynchronous: bool = False  # accept, then report it in a "failed" status webhook (like 131026)


@dataclass
class StoredMedia:
    data: bytes
    mime_type: str
    reported_size: int | None = None


class FakeGraphApi:
    """Run with ``await start()``; inspect ``sent``, ``reads``, ``attempts`` in tests."""

    def __init__(
        self,
        *,
        access_token: str = "",
        app_secret: str = "",
        webhook_url: str = "",
        phone_number_id: str = webhooks.DEFAULT_PHONE_NUMBER_ID,
        send_statuses: bool = False,
    ) -> None:
        self.access_token = access_token
        self.app_secret = app_secret
        self.webhook_url = webhook_url
        self.phone_number_id = phone_number_id
        self.send_statuses = send_statuses
        self.sent: list[SentMessage] = []
        self.reads: list[dict[str, Any]] = []
        self.rejected: list[tuple[dict[str, Any], MetaError]] = []
        self.attempts = 0  # every POST /messages that was not a mark-as-read
        self.base_url = ""
        self._errors: list[InjectedError] = []
        self._media: dict[str, StoredMedia] = {}
        self._seq = itertools.count(1)
        self._changed = asyncio.Condition()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.app = self._build_app()

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{bound}"
        return self.base_url

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- test and chat controls ----------------------------------------------------------

    def inject_error(self, code: int, times: int = 1, asynchronous: bool = False) -> None:
        """The next ``times`` sends fail with Meta's error ``code``."""
        self._errors.append(InjectedError(code, times, asynchronous))

    def register_media(self, data: bytes, mime_type: str, reported_size: int | None = None) -> str:
        """Make a file downloadable as if a customer had sent it; returns its media id."""
        media_id = str(int.from_bytes(os.urandom(7), "big"))
        self._media[media_id] = StoredMedia(data, mime_type, reported_size)
        return media_id

    def messages_to(self, recipient: str) -> list[SentMessage]:
        return [m for m in self.sent if m.to == recipient]

    async def wait_for(
        self, count: int, recipient: str | None = None, timeout: float = 10.0
    ) -> list[SentMessage]:
        """Wait until ``count`` messages were sent (to ``recipient`` if given)."""

        def matching() -> list[SentMessage]:
            return self.messages_to(recipient) if recipient else list(self.sent)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(matching()) >= count), timeout)
        return matching()

    async def deliver(
        self, body: dict[str, Any], webhook_url: str | None = None, secret: str | None = None
    ) -> int:
        """POST ``body`` to the bot's webhook, signed like Meta; return the HTTP status."""
        url = webhook_url or self.webhook_url
        if not url:
            raise ValueError("no webhook URL: pass --webhook to the chat or webhook_url= to FakeGraphApi")
        raw = webhooks.encode(body)
        headers = webhooks.signed_headers(raw, self.app_secret if secret is None else secret)
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(url, data=raw, headers=headers) as response:
            await response.read()
            return response.status

    # -- HTTP ------------------------------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/_sim/health", self._health)
        app.router.add_post("/_sim/customer", self._customer)
        app.router.add_get("/_sim/messages", self._poll)
        app.router.add_post("/_sim/media", self._upload)
        app.router.add_get("/_sim/media/{media_id}", self._download)
        app.router.add_post("/_sim/errors", self._inject)
        app.router.add_post("/{version}/{phone_id}/messages", self._messages)
        app.router.add_get("/{version}/{media_id}", self._media_info)
        return app

    async def _health(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "sent": len(self.sent)})

    def _auth_error(self, request: web.Request) -> web.Response | None:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        if not token or (self.access_token and not hmac.compare_digest(token, self.access_token)):
            return _error_response(MetaError(190, "Error validating access token", http_status=401))
        return None

    async def _messages(self, request: web.Request) -> web.Response:
        denied = self._auth_error(request)
        if denied is not None:
            return denied
        payload: Any = None
        try:
            check_version(request.match_info["version"])
            if self.phone_number_id and request.match_info["phone_id"] != self.phone_number_id:
                raise MetaError(100, f"Object with ID '{request.match_info['phone_id']}' does not exist")
            try:
                payload = await request.json()
            except ValueError:
                raise MetaError(100, "Request body is not valid JSON") from None
            kind = check_message(payload)
        except MetaError as exc:
            self.rejected.append((payload if isinstance(payload, dict) else {}, exc))
            return _error_response(exc)
        if kind == "read":
            self.reads.append(payload)
            return web.json_response({"success": True})
        return await self._accept(payload)

    async def _accept(self, payload: dict[str, Any]) -> web.Response:
        self.attempts += 1
        injected = self._next_injected()
        if injected and not injected.asynchronous:
            return _error_response(_injected_error(injected.code))
        wamid = webhooks.new_wamid()
        recipient = str(payload.get("to") or payload.get("recipient"))
        async with self._changed:
            self.sent.append(SentMessage(next(self._seq), wamid, payload))
            self._changed.notify_all()
        if injected:  # asynchronous failure: accepted now, reported failed later
            self._spawn(self._send_status(wamid, recipient, "failed", injected.code))
        elif self.send_statuses and self.webhook_url:
            self._spawn(self._send_receipts(wamid, recipient))
        contact = {"input": recipient, "user_id" if "recipient" in payload else "wa_id": recipient}
        return web.json_response(
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
        )

    def _next_injected(self) -> InjectedError | None:
        while self._errors:
            head = self._errors[0]
            if head.times <= 0:
                self._errors.pop(0)
                continue
            head.times -= 1
            return head
        return None

    async def _send_receipts(self, wamid: str, recipient: str) -> None:
        await self._send_status(wamid, recipient, "sent")
        await self._send_status(wamid, recipient, "delivered")

    async def _send_status(self, wamid: str, recipient: str, state: str, code: int | None = None) -> None:
        await asyncio.sleep(0.05)
        errors = [webhooks.error_item(code, ERROR_TITLES.get(code, ("Error", 400))[0])] if code else None
        body = webhooks.statuses_body(webhooks.status(wamid, state, recipient, errors))
        try:
            await self.deliver(body)
        except (aiohttp.ClientError, ValueError) as exc:
            logger.warning("Could not deliver a %s status webhook: %s", state, exc)

    async def _media_info(self, request: web.Request) -> web.Response:
        denied = self._auth_error(request)
        if denied is not None:
            return denied
        media_id = request.match_info["media_id"]
        stored = self._media.get(media_id)
        if stored is None:
            return _error_response(
                MetaError(100, f"Object with ID '{media_id}' does not exist", http_status=400)
            )
        size = stored.reported_size if stored.reported_size is not None else len(stored.data)
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/_sim/media/{media_id}",
                "mime_type": stored.mime_type,
                "sha256": hashlib.sha256(stored.data).hexdigest(),
                "file_size": size,
                "id": media_id,
            }
        )

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if self._auth_error(request) is not None:  # lookaside answers a bare 404 without the token
            return web.Response(status=404)
        stored = self._media.get(request.match_info["media_id"])
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type.split(";")[0])

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        mime = request.headers.get("Content-Type", "application/octet-stream")
        return web.json_response({"id": self.register_media(data, mime)})

    async def _inject(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.inject_error(int(body["code"]), int(body.get("times", 1)), bool(body.get("async", False)))
        return web.json_response({"ok": True})

    async def _customer(self, request: web.Request) -> web.Response:
        """Body: ``{"message": <Meta message object>, "name": "...", "webhook": "..."}``."""
        body = await request.json()
        if body.get("webhook"):
            self.webhook_url = body["webhook"]
        message = body["message"]
        try:
            status = await self.deliver(webhooks.customer_message(message, body.get("name") or "Customer"))
        except (aiohttp.ClientError, ValueError) as exc:
            return web.json_response({"error": f"webhook unreachable: {exc}"}, status=502)
        return web.json_response({"webhook_status": status, "message_id": message.get("id")})

    async def _poll(self, request: web.Request) -> web.Response:
        """Long-poll: ``?to=<wa_id>&after=<seq>&wait=<seconds>``."""
        to = request.query.get("to", "")
        after = int(request.query.get("after", "0"))
        wait = min(float(request.query.get("wait", "0")), 30.0)

        def fresh() -> list[SentMessage]:
            return [m for m in self.sent if m.seq > after and (not to or m.to == to)]

        if not fresh() and wait > 0:
            async with self._changed:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(fresh())), wait)
        items = [{"seq": m.seq, "id": m.wamid, "payload": m.payload} for m in fresh()]
        return web.json_response({"messages": items})

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _injected_error(code: int) -> MetaError:
    title, status = ERROR_TITLES.get(code, ("Error", 400))
    return MetaError(code, title, http_status=status)


def _error_response(error: MetaError) -> web.Response:
    message = (
        error.message if error.code in (100, 131008, 131009, 131051) else f"(#{error.code}) {error.details}"
    )
    body = {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": error.code,
            "error_data": {"messaging_product": "whatsapp", "details": error.details},
            "fbtrace_id": os.urandom(8).hex(),
        }
    }
    return web.json_response(body, status=error.http_status)


async def serve(host: str, port: int, **kwargs: Any) -> None:
    """Run until cancelled (``python -m simulator graph``)."""
    fake = FakeGraphApi(**kwargs)
    url = await fake.start(host, port)
    print(f"Fake WhatsApp Graph API listening on {url} (phone number id {fake.phone_number_id})", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await fake.stop()
