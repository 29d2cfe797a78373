"""Rasa's HTTP API as the web service uses it: read a tracker, pause, resume, record staff messages.

The Rasa server must run with ``--enable-api``; when it also runs with ``--auth-token`` the same
token (``RASA_AUTH_TOKEN``) goes in every call as ``?token=`` (the only form Rasa accepts for a
static token). httpx logs each request URL at INFO level, so a filter on its logger blanks the
token before a record is written; nothing here logs it either.

Staff actions are stored as ordinary Rasa events so the transcript, the bot's later turns and
any review tool see them: ``pause``/``resume`` (with the agent in ``metadata``) and ``bot``
events carrying ``metadata.agent`` for what a person wrote.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)

_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"']+")


class RasaError(Exception):
    """A call to Rasa failed; the message is fit to show to staff."""


class RasaUnavailable(RasaError):
    """No answer, a timeout, a 5xx, or a server without a loaded model."""


class RasaAuthError(RasaError):
    """Rasa refused the token (RASA_AUTH_TOKEN missing, wrong, or not the server's)."""


class RasaRequestError(RasaError):
    """Rasa refused the request itself (4xx other than auth)."""


class _RedactToken(logging.Filter):
    """Blank ``token=…`` in httpx's request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                _TOKEN_IN_URL.sub(r"\1***", str(a)) if "token=" in str(a) else a for a in record.args
            )
        if isinstance(record.msg, str) and "token=" in record.msg:
            record.msg = _TOKEN_IN_URL.sub(r"\1***", record.msg)
        return True


def _install_log_filter() -> None:
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactToken) for f in httpx_log.filters):
        httpx_log.addFilter(_RedactToken())


class RasaClient:
    """One per web-service process (it keeps a connection pool); close with :meth:`aclose`."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        _install_log_filter()
        self.base_url = base_url.rstrip("/")
        self._token = token or None
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- reads ---------------------------------------------------------------------------

    async def status(self) -> dict[str, Any]:
        """``GET /status``: the loaded model (checks the token too)."""
        return await self._call("GET", "/status")

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's current state: ``slots``, ``paused``, ``latest_message``, events."""
        return await self._call(
            "GET", f"{_conversation_path(conversation_id)}/tracker", params={"include_events": "ALL"}
        )

    # -- writes --------------------------------------------------------------------------

    async def append_events(self, conversation_id: str, events: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Append events under Rasa's conversation lock; Rasa sends nothing to the customer."""
        if not events:
            raise ValueError("no events to append")
        return await self._call(
            "POST",
            f"{_conversation_path(conversation_id)}/tracker/events",
            json=list(events),
            params={"include_events": "NONE"},
        )

    async def pause(self, conversation_id: str, agent: str) -> dict[str, Any]:
        """A person takes over: the Rasa server stores the customer's messages but does not answer."""
        return await self.append_events(conversation_id, [pause_event(agent)])

    async def resume(self, conversation_id: str, agent: str) -> dict[str, Any]:
        """Back to the bot: it answers the next message with the conversation's slots as they are."""
        return await self.append_events(conversation_id, resume_events(agent))

    async def record_staff_message(
        self,
        conversation_id: str,
        text: str,
        agent: str,
        *,
        data: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        timestamp: float | None = None,
    ) -> dict[str, Any]:
        """Store what a person sent as a ``bot`` event with ``metadata.agent``."""
        return await self.append_events(
            conversation_id,
            [staff_message_event(text, agent, data=data, metadata=metadata, timestamp=timestamp)],
        )

    # -- plumbing ------------------------------------------------------------------------

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", None) or {})
        if self._token:
            params["token"] = self._token
        try:
            response = await self._http.request(method, path, params=params, **kwargs)
        except httpx.TimeoutException as exc:
            raise RasaUnavailable(f"Rasa at {self.base_url} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"Rasa at {self.base_url} is unreachable ({type(exc).__name__})") from exc
        return _decode(self.base_url, response)


def pause_event(agent: str, timestamp: float | None = None) -> dict[str, Any]:
    return {"event": "pause", "timestamp": timestamp or time.time(), "metadata": {"agent": agent}}


def resume_events(agent: str, timestamp: float | None = None) -> list[dict[str, Any]]:
    """``resume`` then ``action_listen``: the next customer message starts a normal turn.

    After ``action_handoff`` Rasa stopped predicting without listening; a turn whose previous
    action is not ``action_listen`` would not match the assistant's rules.
    """
    moment = timestamp or time.time()
    return [
        {"event": "resume", "timestamp": moment, "metadata": {"agent": agent}},
        {"event": "action", "name": "action_listen", "timestamp": moment},
    ]


def staff_message_event(
    text: str,
    agent: str,
    *,
    data: dict[str, Any] | None = None,
    metadata: dict[str, Any] | None = None,
    timestamp: float | None = None,
) -> dict[str, Any]:
    return {
        "event": "bot",
        "text": text,
        "data": data or {},
        "metadata": {**(metadata or {}), "agent": agent},
        "timestamp": timestamp or time.time(),
    }


def _conversation_path(conversation_id: str) -> str:
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        raise RasaRequestError("empty conversation id")
    return "/conversations/" + quote(conversation_id.strip(), safe="")


def _decode(base_url: str, response: httpx.Response) -> Any:
    status = response.status_code
    if status in (401, 403):
        raise RasaAuthError(
            f"Rasa at {base_url} refused the request (HTTP {status}): RASA_AUTH_TOKEN is missing or "
            "does not match the server's --auth-token"
        )
    if status == 409:
        raise RasaUnavailable(f"Rasa at {base_url} has no model loaded yet")
    if status >= 500:
        raise RasaUnavailable(f"Rasa at {base_url} failed (HTTP {status}): {_reason(response)}")
    if status >= 400:
        raise RasaRequestError(f"Rasa at {base_url} refused the request (HTTP {status}): {_reason(response)}")
    try:
        return response.json()
    except ValueError as exc:
        raise RasaUnavailable(f"Rasa at {base_url} answered something that is not JSON") from exc


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("message") or body.get("reason") or body)[:200] if isinstance(body, dict) else ""
