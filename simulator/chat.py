"""``python -m simulator chat``: type as a WhatsApp customer, see the bot's replies.

Messages go to the fake Graph API, which signs them and POSTs them to the bot's
webhook exactly as Meta would; replies are long-polled from the fake Graph API.
"""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import shlex
from pathlib import Path
from typing import Any

import httpx
from prompt_toolkit import PromptSession
from prompt_toolkit.patch_stdout import patch_stdout

from simulator import webhooks
from simulator.render import Option, render

HELP = """Type like a customer. Numbers pick a button or list row from the last menu.
  /photo PATH [caption]   send a photo        /voice PATH   send a voice note
  /location LAT LON [name]                    /help         /quit"""


class ChatError(RuntimeError):
    """The fake Graph API or the bot cannot be reached."""


class Chat:
    def __init__(self, graph_url: str, webhook_url: str, phone: str, name: str) -> None:
        self.graph_url = graph_url.rstrip("/")
        self.webhook_url = webhook_url
        self.phone = phone
        self.name = name
        self.options: list[Option] = []
        self.last_bot_message = ""
        self._after = 0
        self._http = httpx.AsyncClient(base_url=self.graph_url, timeout=httpx.Timeout(40.0, connect=5.0))

    async def close(self) -> None:
        await self._http.aclose()

    async def check(self) -> None:
        try:
            (await self._http.get("/_sim/health")).raise_for_status()
        except httpx.HTTPError as exc:
            raise ChatError(f"fake Graph API not reachable at {self.graph_url}: {exc}") from None
        polled = (await self._http.get("/_sim/messages", params={"to": self.phone})).json()["messages"]
        self._after = max((m["seq"] for m in polled), default=0)  # skip an earlier session's replies

    async def send(self, message: dict[str, Any]) -> str:
        body = {"webhook": self.webhook_url, "name": self.name, "message": message}
        response = await self._http.post("/_sim/customer", json=body)
        data = response.json()
        if response.status_code != 200:
            return f"! could not reach the bot: {data.get('error')}"
        status = data["webhook_status"]
        if status == 403:
            return "! the bot refused the signature: use the same WHATSAPP_APP_SECRET for both"
        if status != 200:
            return f"! the bot's webhook answered HTTP {status}"
        return ""

    async def handle_input(self, line: str) -> str:
        """Turn one typed line into a customer message; return a note for the screen, if any."""
        line = line.strip()
        if not line:
            return ""
        if line.startswith("/"):
            return await self._command(line)
        if line.isdigit() and self.options:
            number = int(line)
            if not 1 <= number <= len(self.options):
                return f"! choose 1-{len(self.options)}"
            option = self.options[number - 1]
            if option.kind == "button_reply":
                message = webhooks.button_reply(
                    self.phone, option.id, option.title, context_id=self.last_bot_message
                )
            else:
                message = webhooks.list_reply(
                    self.phone, option.id, option.title, option.description, context_id=self.last_bot_message
                )
            return await self.send(message)
        return await self.send(webhooks.text(self.phone, line))

    async def _command(self, line: str) -> str:
        try:
            parts = shlex.split(line)
        except ValueError as exc:
            return f"! {exc}"
        command, args = parts[0].lower(), parts[1:]
        if command in ("/help", "/?"):
            return HELP
        if command in ("/photo", "/image", "/voice", "/audio") and args:
            return await self._send_file(command, Path(args[0]).expanduser(), " ".join(args[1:]))
        if command == "/location" and len(args) >= 2:
            try:
                lat, lon = float(args[0]), float(args[1])
            except ValueError:
                return "! usage: /location 25.2048 55.2708 [name]"
            return await self.send(webhooks.location(self.phone, lat, lon, " ".join(args[2:])))
        return "! unknown command; /help lists them"

    async def _send_file(self, command: str, path: Path, caption: str) -> str:
        if not path.is_file():
            return f"! no such file: {path}"
        data = path.read_bytes()
        is_photo = command in ("/photo", "/image")
        mime = mimetypes.guess_type(path.name)[0] or ("image/jpeg" if is_photo else "audio/ogg")
        if mime == "audio/ogg":
            mime = "audio/ogg; codecs=opus"
        media_id = (
            await self._http.post("/_sim/media", content=data, headers={"Content-Type": mime})
        ).json()["id"]
        sha = hashlib.sha256(data).hexdigest()
        if is_photo:
            return await self.send(webhooks.image(self.phone, media_id, mime, caption, sha256=sha))
        return await self.send(
            webhooks.audio(self.phone, media_id, mime, voice=command == "/voice", sha256=sha)
        )

    async def poll(self, wait: float = 20.0) -> list[str]:
        """Lines to print for the bot's new messages (long-poll)."""
        response = await self._http.get(
            "/_sim/messages", params={"to": self.phone, "after": self._after, "wait": wait}
        )
        lines: list[str] = []
        for item in response.json()["messages"]:
            self._after = max(self._after, item["seq"])
            rendered = render(item["payload"])
            if rendered.options:
                self.options = rendered.options
                self.last_bot_message = item["id"]
            lines.extend(
                f"Bot: {line}" if n == 0 else f"     {line}" for n, line in enumerate(rendered.lines)
            )
        return lines


async def run_chat(graph_url: str, webhook_url: str, phone: str, name: str) -> None:
    chat = Chat(graph_url, webhook_url, phone, name)
    try:
        await chat.check()
        print(f"Chatting as {name} (+{phone}) with the bot at {webhook_url}\n{HELP}\n")
        with patch_stdout():
            poller = asyncio.create_task(_print_replies(chat))
            session: PromptSession[str] = PromptSession()
            try:
                while True:
                    try:
                        line = await session.prompt_async("You: ")
                    except (EOFError, KeyboardInterrupt):
                        break
                    if line.strip().lower() in ("/quit", "/exit"):
                        break
                    note = await chat.handle_input(line)
                    if note:
                        print(note)
            finally:
                poller.cancel()
    finally:
        await chat.close()


async def _print_replies(chat: Chat) -> None:
    while True:
        try:
            for line in await chat.poll():
                print(line)
        except httpx.HTTPError as exc:
            print(f"! lost the fake Graph API ({exc}); retrying…")
            await asyncio.sleep(2)
