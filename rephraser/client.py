"""The Chat Completions call, with every failure turned into a typed error.

The official ``openai`` client does the HTTP; retries are off (``max_retries=0``) because a
customer waiting on WhatsApp is better served by the canned reply than by a second try,
and the whole call is capped by ``asyncio.wait_for`` since httpx timeouts are per phase.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx
import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion

from rephraser.errors import (
    MalformedResponse,
    ModelRateLimited,
    ModelRejected,
    ModelTimeout,
    ModelUnavailable,
)
from rephraser.settings import RephraserSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    """The model's text and what it cost (``None`` when the server reported no usage)."""

    content: str
    prompt_tokens: int | None
    completion_tokens: int | None
    model: str


class ChatClient:
    """One OpenAI-compatible endpoint; build it once and reuse it (it pools connections)."""

    def __init__(self, settings: RephraserSettings) -> None:
        if not settings.api_key:
            raise ValueError("ChatClient needs an API key; check settings.enabled first")
        self._settings = settings
        self._client = AsyncOpenAI(
            api_key=settings.api_key,
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 2.0)),
            max_retries=0,
        )

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int) -> Completion:
        """One completion; raises a :class:`~rephraser.errors.ModelError` subclass on failure."""
        kwargs: dict = {
            "model": self._settings.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
            "n": 1,
        }
        if self._settings.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        try:
            result = await asyncio.wait_for(
                self._client.chat.completions.create(**kwargs), timeout=self._settings.timeout + 0.5
            )
        except (asyncio.TimeoutError, openai.APITimeoutError) as exc:
            raise ModelTimeout(f"no answer within {self._settings.timeout:g}s") from exc
        except openai.RateLimitError as exc:
            raise ModelRateLimited(_describe(exc)) from exc
        except openai.InternalServerError as exc:
            raise ModelUnavailable(_describe(exc)) from exc
        except openai.APIStatusError as exc:
            if exc.status_code >= 500:
                raise ModelUnavailable(_describe(exc)) from exc
            raise ModelRejected(_describe(exc)) from exc
        except openai.APIConnectionError as exc:
            raise ModelUnavailable(f"connection failed: {type(exc.__cause__ or exc).__name__}") from exc
        except (openai.APIResponseValidationError, ValueError) as exc:
            # A 200 whose body is not JSON surfaces as json.JSONDecodeError (a ValueError).
            raise MalformedResponse(f"response body is not a chat completion: {type(exc).__name__}") from exc
        return _to_completion(result)

    async def aclose(self) -> None:
        await self._client.close()


def _describe(exc: openai.APIStatusError) -> str:
    """Status and provider error code, never the request (which holds the key)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    code = body.get("code") or body.get("type") or ""
    return f"HTTP {exc.status_code} {code}".strip()


def _to_completion(result: object) -> Completion:
    if not isinstance(result, ChatCompletion):
        raise MalformedResponse(f"expected a chat completion, got {type(result).__name__}")
    if not result.choices:
        raise MalformedResponse("completion has no choices")
    message = result.choices[0].message
    if message is None or not isinstance(message.content, str) or not message.content.strip():
        refusal = getattr(message, "refusal", None) if message is not None else None
        raise MalformedResponse("model refused" if refusal else "completion has no text content")
    usage = result.usage
    return Completion(
        content=message.content,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        model=result.model or "",
    )
