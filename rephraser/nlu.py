"""Re-parsing a rephrasing with the assistant's own NLU, over Rasa's HTTP API.

``POST {RASA_URL}/model/parse`` (the server must run with ``--enable-api``; with
``--auth-token`` set RASA_AUTH_TOKEN too). It parses without touching any conversation,
so calling it from inside an action is safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from rephraser.errors import NLUUnavailable
from rephraser.settings import RephraserSettings

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class ParseResult:
    """Rasa's parse of one text; ``data`` is the full payload, kept for the UserUttered event."""

    intent: str | None
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def is_confident(self, threshold: float) -> bool:
        return bool(self.intent) and self.intent != FALLBACK_INTENT and self.confidence >= threshold


class RasaParser:
    """Client for ``/model/parse``; reuses one HTTP connection pool."""

    def __init__(self, settings: RephraserSettings) -> None:
        self._url = f"{settings.rasa_url}/model/parse"
        self._params = {"token": settings.rasa_token} if settings.rasa_token else None
        self._client = httpx.AsyncClient(timeout=settings.rasa_timeout)

    async def parse(self, text: str) -> ParseResult:
        try:
            response = await self._client.post(self._url, json={"text": text}, params=self._params)
        except httpx.HTTPError as exc:
            raise NLUUnavailable(f"{type(exc).__name__} calling {self._url}") from exc
        if response.status_code != 200:
            raise NLUUnavailable(f"HTTP {response.status_code} from {self._url}")
        try:
            data = response.json()
        except ValueError:
            raise NLUUnavailable("parse response is not JSON") from None
        return to_parse_result(data)

    async def aclose(self) -> None:
        await self._client.aclose()


def to_parse_result(data: object) -> ParseResult:
    """Check the payload's shape (``intent.name``/``confidence``, ``entities`` list)."""
    if not isinstance(data, dict) or not isinstance(data.get("intent"), dict):
        raise NLUUnavailable("parse response has no intent")
    intent = data["intent"]
    try:
        confidence = float(intent.get("confidence") or 0.0)
    except (TypeError, ValueError):
        raise NLUUnavailable("parse response has a non-numeric confidence") from None
    entities = data.get("entities") or []
    if not isinstance(entities, list):
        raise NLUUnavailable("parse response entities are not a list")
    return ParseResult(intent.get("name"), confidence, entities, data)
