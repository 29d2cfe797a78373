"""A real Sanic server hosting the WhatsApp channel, with a scripted stand-in for Rasa.

The stand-in receives the channel's UserMessages exactly as Rasa's agent would and
answers through the channel's own OutputChannel, so replies travel over HTTP to the
fake Graph API. No Rasa model is involved.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from connectors.whatsapp.channel import WhatsAppInput
from connectors.whatsapp.settings import WhatsAppSettings
from simulator import webhooks

APP_SECRET = "test-app-secret"
ACCESS_TOKEN = "test-access-token"
VERIFY_TOKEN = "test-verify-token"
WEBHOOK_PATH = "/webhooks/whatsapp/webhook"

# Several Sanic apps start in one test process: test mode keeps Sanic's one-time
# code "touch-up" from rewriting an already rewritten method (sanic 21.12).
Sanic.test_mode = True

MANY_PARTS = [
    {"title": f"Brake pad set {n} front axle ceramic", "payload": f'/choose_part{{"sku": "BP-{n:03d}"}}'}
    for n in range(1, 13)
]


async def scripted_rasa(message: UserMessage) -> None:
    """Answers like a tiny bot: enough variety to exercise every output path."""
    out, to, text = message.output_channel, message.sender_id, message.text or ""
    if text == "buttons":
        buttons = [{"title": t, "payload": f"/{t.lower()}"} for t in ("Yes", "No", "Maybe")]
        await out.send_response(to, {"text": "Is this your car?", "buttons": buttons})
    elif text == "parts":
        await out.send_response(to, {"text": "Parts that fit:", "buttons": list(MANY_PARTS)})
    elif text == "long":
        await out.send_response(to, {"text": ("word " * 2000).strip()})
    elif text == "two":
        await out.send_response(to, {"text": "first"})
        await out.send_response(to, {"text": "second"})
    elif text == "crash":
        raise RuntimeError("the model fell over")
    elif text.startswith("slow:"):
        await asyncio.sleep(0.2)
        await out.send_response(to, {"text": f"You said: {text}"})
    else:
        await out.send_response(to, {"text": f"You said: {text}"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_settings(graph_url: str, database_url: str, **overrides: Any) -> WhatsAppSettings:
    values: dict[str, Any] = {
        "verify_token": VERIFY_TOKEN,
        "app_secret": APP_SECRET,
        "access_token": ACCESS_TOKEN,
        "phone_number_id": webhooks.DEFAULT_PHONE_NUMBER_ID,
        "graph_base_url": graph_url,
        "database_url": database_url,
        "retry_base_delay": 0.01,
        "pair_rate_delay": 0.05,
        "retry_max_delay": 0.2,
        "http_timeout_seconds": 5.0,
        "inbox_lease_seconds": 3.0,
        "inbox_sweep_seconds": 0.2,
        "inbox_max_attempts": 1,
    }
    values.update(overrides)
    return WhatsAppSettings(**values)


@dataclass
class BotServer:
    """The channel served over real HTTP; ``received`` holds what "Rasa" got."""

    channel: WhatsAppInput
    handler: Callable[[UserMessage], Awaitable[None]] = scripted_rasa
    received: list[UserMessage] = field(default_factory=list)
    url: str = ""
    _server: Any = None
    _http: httpx.AsyncClient | None = None

    async def start(self) -> BotServer:
        async def on_new_message(message: UserMessage) -> None:
            self.received.append(message)
            await self.handler(message)

        app = Sanic(f"wa_test_{uuid.uuid4().hex[:12]}")
        app.blueprint(self.channel.blueprint(on_new_message), url_prefix="/webhooks/whatsapp")
        port = free_port()
        self._server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await self._server.startup()
        await self._server.before_start()
        await self._server.after_start()
        self.url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        self._http = httpx.AsyncClient(timeout=10)
        return self

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self._server is not None:
            await self._server.before_stop()
            self._server.close()
            await self._server.wait_closed()
            await self._server.after_stop()

    async def post_raw(self, raw: bytes, headers: dict[str, str]) -> httpx.Response:
        assert self._http is not None
        return await self._http.post(self.url, content=raw, headers=headers)

    async def post(self, body: dict[str, Any], secret: str = APP_SECRET) -> httpx.Response:
        """Deliver ``body`` signed the way Meta signs it."""
        raw = webhooks.encode(body)
        return await self.post_raw(raw, webhooks.signed_headers(raw, secret))

    async def get(self, params: dict[str, str]) -> httpx.Response:
        assert self._http is not None
        return await self._http.get(self.url, params=params)

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until every queued turn and background task has finished."""
        assert self.channel.runtime is not None
        await self.channel.runtime.join(timeout)
