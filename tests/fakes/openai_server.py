"""A local fake of the OpenAI HTTP API, speaking the real wire format.

Tests point the official ``openai`` client (or plain HTTP) at :attr:`FakeOpenAIServer.base_url`
and script what each call answers: a completion with usage counts, a delay, a 429 with the
body OpenAI really sends, a 5xx, a body that is not JSON at all, a transcription. Every
request is recorded (headers, JSON body, multipart fields and uploaded files) so tests can
assert what left the process, and how often.

Two endpoints behave like OpenAI's:

* ``POST /v1/chat/completions`` (JSON in, ``chat.completion`` JSON out);
* ``POST /v1/audio/transcriptions`` (multipart ``file``/``model``/``language``/
  ``response_format`` in; ``json``, ``text``, ``verbose_json``, ``srt`` or ``vtt`` out).

``GET /v1/models`` lists one model. The server runs its own event loop in a daemon thread,
so it serves sync tests, async tests and other processes (a real Rasa or action server)
alike. Replies are consumed in the order scripted; with nothing scripted the server
answers 500 and counts the call in :attr:`FakeOpenAIServer.unscripted` so a stray call
never passes unnoticed.

    with FakeOpenAIServer(api_key="sk-test") as fake:
        fake.script_chat(json_chat_reply({"rephrased": "brake pads for camry"}), rate_limited())
        client = AsyncOpenAI(api_key="sk-test", base_url=fake.base_url, max_retries=0)
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

Body = Any  # dict/list → JSON; str/bytes → sent as is


@dataclass
class UploadedFile:
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class RecordedRequest:
    """One request as the fake saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    received_at: float = field(default_factory=time.time)

    @property
    def bearer_token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else None


@dataclass
class FakeReply:
    """What the fake answers to one request.

    ``build`` (if set) computes the body from the request, e.g. to echo the requested model;
    ``content_type`` may likewise be a function of the request; ``delay`` sleeps before
    answering, to exercise client timeouts.
    """

    status: int = 200
    body: Body = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | Callable[[RecordedRequest], str] = "application/json"
    delay: float = 0.0
    build: Callable[[RecordedRequest], Body] | None = None


# --------------------------------------------------------------------------- reply builders
def _rough_tokens(text: str) -> int:
    """A stand-in for a tokenizer: about four characters a token, at least one."""
    return max(1, (len(text) + 3) // 4)


def _prompt_text(request: RecordedRequest) -> str:
    messages = (request.json or {}).get("messages") or []
    parts = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):  # multimodal content parts
            parts.extend(p.get("text", "") for p in content if isinstance(p, dict))
    return "\n".join(parts)


def chat_reply(
    content: str | None,
    *,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    include_usage: bool = True,
    finish_reason: str = "stop",
    refusal: str | None = None,
) -> FakeReply:
    """A successful ``chat.completion`` whose single choice says ``content``.

    Usage counts default to a rough estimate from the prompt and the content, so budgets
    move as they would against the real API; pass them to pin exact numbers.
    """

    def build(request: RecordedRequest) -> dict:
        body = request.json or {}
        prompt = prompt_tokens if prompt_tokens is not None else _rough_tokens(_prompt_text(request))
        completion = completion_tokens if completion_tokens is not None else _rough_tokens(content or "")
        result = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "gpt-4o-mini"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "system_fingerprint": "fp_fake0001",
        }
        if include_usage:
            result["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
            }
        return result

    return FakeReply(build=build)


def json_chat_reply(obj: Any, **kwargs: Any) -> FakeReply:
    """A completion whose content is ``obj`` serialised as JSON (what JSON mode returns)."""
    return chat_reply(json.dumps(obj, ensure_ascii=False), **kwargs)


def transcription_reply(text: str, *, language: str = "english", duration: float = 2.5) -> FakeReply:
    """A transcription in whichever ``response_format`` the request asked for."""

    def build(request: RecordedRequest) -> Body:
        fmt = request.form.get("response_format", "json")
        if fmt == "text":
            return text + "\n"
        if fmt == "srt":
            return f"1\n00:00:00,000 --> 00:00:{duration:06.3f}\n{text}\n\n".replace(".", ",", 1)
        if fmt == "vtt":
            return f"WEBVTT\n\n00:00:00.000 --> 00:00:{duration:06.3f}\n{text}\n\n"
        if fmt == "verbose_json":
            return {
                "task": "transcribe",
                "language": language,
                "duration": duration,
                "text": text,
                "segments": [
                    {
                        "id": 0,
                        "seek": 0,
                        "start": 0.0,
                        "end": duration,
                        "text": " " + text,
                        "tokens": [50364],
                        "temperature": 0.0,
                        "avg_logprob": -0.25,
                        "compression_ratio": 1.1,
                        "no_speech_prob": 0.01,
                    }
                ],
            }
        return {"text": text}

    def content_type_for(request: RecordedRequest) -> str:
        fmt = request.form.get("response_format", "json")
        return "application/json" if fmt in {"json", "verbose_json"} else "text/plain; charset=utf-8"

    return FakeReply(build=build, content_type=content_type_for)


def error_reply(status: int, message: str, type_: str, code: str | None, **headers: str) -> FakeReply:
    """Any API error, in OpenAI's ``{"error": {...}}`` envelope."""
    body = {"error": {"message": message, "type": type_, "param": None, "code": code}}
    return FakeReply(status=status, body=body, headers=dict(headers))


def rate_limited(retry_after: float = 20.0, model: str = "gpt-4o-mini") -> FakeReply:
    """The 429 OpenAI sends when requests-per-minute are used up."""
    message = (
        f"Rate limit reached for {model} in organization org-fake on requests per min (RPM): "
        f"Limit 3, Used 3, Requested 1. Please try again in {retry_after:g}s. "
        "Visit https://platform.openai.com/account/rate-limits to learn more."
    )
    return error_reply(
        429,
        message,
        "requests",
        "rate_limit_exceeded",
        **{
            "retry-after": f"{retry_after:g}",
            "x-ratelimit-limit-requests": "3",
            "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": f"{retry_after:g}s",
        },
    )


def quota_exceeded() -> FakeReply:
    """The 429 OpenAI sends when the account has no credit left."""
    return error_reply(
        429,
        "You exceeded your current quota, please check your plan and billing details. For more "
        "information on this error, read the docs: "
        "https://platform.openai.com/docs/guides/error-codes/api-errors.",
        "insufficient_quota",
        "insufficient_quota",
    )


def server_error(status: int = 500) -> FakeReply:
    """A 5xx with the body OpenAI sends for its own failures."""
    return error_reply(
        status,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    )


def invalid_api_key(key: str = "") -> FakeReply:
    shown = (key[:3] + "*" * 10 + key[-4:]) if len(key) > 8 else "****"
    return error_reply(
        401,
        f"Incorrect API key provided: {shown}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        "invalid_request_error",
        "invalid_api_key",
    )


def malformed_json() -> FakeReply:
    """HTTP 200 announcing JSON but sending a truncated body (a broken proxy or server)."""
    return FakeReply(body='{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"ind')


def delayed(reply: FakeReply, seconds: float) -> FakeReply:
    """``reply``, sent only after ``seconds``."""
    reply.delay = seconds
    return reply


# --------------------------------------------------------------------------- server plumbing
class BackgroundHTTPServer:
    """An aiohttp application on 127.0.0.1:<free port>, served from a daemon thread."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def build_app(self) -> web.Application:  # pragma: no cover - overridden
        raise NotImplementedError

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    def start(self):  # noqa: ANN201 - returns self for chaining
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=type(self).__name__, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._astart(), self._loop).result(timeout=10)
        return self

    async def _astart(self) -> None:
        self._runner = web.AppRunner(self.build_app(), handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, shutdown_timeout=0.5)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        if self._loop is None:
            return
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def __enter__(self):  # noqa: ANN204
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


ENDPOINTS = {
    "chat": "/v1/chat/completions",
    "transcriptions": "/v1/audio/transcriptions",
}


class FakeOpenAIServer(BackgroundHTTPServer):
    """The fake itself. ``api_key`` set → other bearer tokens get OpenAI's 401."""

    def __init__(self, api_key: str | None = None, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.api_key = api_key
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[FakeReply]] = {path: deque() for path in ENDPOINTS.values()}
        self._defaults: dict[str, FakeReply | None] = {path: None for path in ENDPOINTS.values()}
        self._requests: list[RecordedRequest] = []
        self.unscripted = 0

    # ---- scripting
    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to the openai client (ends in ``/v1``)."""
        return self.url + "/v1"

    def script(self, endpoint: str, *replies: FakeReply) -> None:
        """Queue replies for ``endpoint`` ("chat", "transcriptions" or a path), used in order."""
        path = ENDPOINTS.get(endpoint, endpoint)
        with self._lock:
            self._scripts[path].extend(replies)

    def script_chat(self, *replies: FakeReply) -> None:
        self.script("chat", *replies)

    def script_transcriptions(self, *replies: FakeReply) -> None:
        self.script("transcriptions", *replies)

    def set_default(self, endpoint: str, reply: FakeReply | None) -> None:
        """Answer every call to ``endpoint`` with ``reply`` once the script is used up."""
        with self._lock:
            self._defaults[ENDPOINTS.get(endpoint, endpoint)] = reply

    def reset(self) -> None:
        with self._lock:
            for queue in self._scripts.values():
                queue.clear()
            self._requests.clear()
            self.unscripted = 0

    # ---- inspection
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == ENDPOINTS["chat"]]

    @property
    def transcription_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == ENDPOINTS["transcriptions"]]

    # ---- HTTP
    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=26 * 1024 * 1024)  # OpenAI's 25 MB audio limit
        app.router.add_post(ENDPOINTS["chat"], self._handle)
        app.router.add_post(ENDPOINTS["transcriptions"], self._handle)
        app.router.add_get("/v1/models", self._models)
        return app

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "object": "list",
                "data": [{"id": "gpt-4o-mini", "object": "model", "created": 0, "owned_by": "fake"}],
            }
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        recorded = await self._record(request)
        if recorded is None:
            return _error_response(
                error_reply(
                    400, "We could not parse the JSON body of your request.", "invalid_request_error", None
                )
            )
        with self._lock:
            self._requests.append(recorded)
        if self.api_key is not None and recorded.bearer_token != self.api_key:
            return await self._respond(invalid_api_key(recorded.bearer_token or ""), recorded)
        problem = _validate(recorded)
        if problem is not None:
            return await self._respond(problem, recorded)
        with self._lock:
            queue = self._scripts[recorded.path]
            reply = queue.popleft() if queue else self._defaults[recorded.path]
            if reply is None:
                self.unscripted += 1
        if reply is None:
            reply = server_error()
            reply.body["error"]["message"] = f"fake OpenAI server: no scripted reply for {recorded.path}"
        return await self._respond(reply, recorded)

    async def _record(self, request: web.Request) -> RecordedRequest | None:
        headers = dict(request.headers)
        if request.content_type.startswith("multipart/"):
            form: dict[str, str] = {}
            files: dict[str, UploadedFile] = {}
            reader = await request.multipart()
            async for part in reader:
                data = await part.read(decode=False)
                if part.filename is not None:
                    files[part.name or "file"] = UploadedFile(
                        part.filename, part.headers.get("Content-Type"), bytes(data)
                    )
                else:
                    form[part.name or ""] = bytes(data).decode("utf-8", "replace")
            return RecordedRequest(request.method, request.path, headers, b"", None, form, files)
        body = await request.read()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            return None
        return RecordedRequest(request.method, request.path, headers, body, parsed)

    async def _respond(self, reply: FakeReply, recorded: RecordedRequest) -> web.Response:
        if reply.delay:
            await asyncio.sleep(reply.delay)
        body = reply.build(recorded) if reply.build is not None else reply.body
        content_type = reply.content_type(recorded) if callable(reply.content_type) else reply.content_type
        headers = dict(reply.headers)
        headers.setdefault("x-request-id", f"req_{uuid.uuid4().hex}")
        headers["openai-processing-ms"] = str(int(reply.delay * 1000) + 1)
        if isinstance(body, (dict, list)):
            data = json.dumps(body, ensure_ascii=False).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body or b""
        headers["Content-Type"] = content_type or "application/json"
        return web.Response(status=reply.status, body=data, headers=headers)


def _validate(request: RecordedRequest) -> FakeReply | None:
    """Reject requests the real API would reject, with its 400 bodies."""
    if request.path == ENDPOINTS["chat"]:
        body = request.json if isinstance(request.json, dict) else {}
        if not body.get("model"):
            return error_reply(400, "you must provide a model parameter", "invalid_request_error", None)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return error_reply(400, "[] is too short - 'messages'", "invalid_request_error", "invalid_value")
        if body.get("stream"):
            return error_reply(400, "the fake OpenAI server does not stream", "invalid_request_error", None)
    elif request.path == ENDPOINTS["transcriptions"]:
        if "file" not in request.files:
            return error_reply(
                400,
                "1 validation error for Request\nbody -> file\n  field required (type=value_error.missing)",
                "invalid_request_error",
                None,
            )
        if not request.form.get("model"):
            return error_reply(400, "you must provide a model parameter", "invalid_request_error", None)
    return None


def _error_response(reply: FakeReply) -> web.Response:
    return web.json_response(reply.body, status=reply.status)
