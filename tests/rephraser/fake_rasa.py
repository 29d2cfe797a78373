"""A tiny stand-in for Rasa's ``POST /model/parse``, for the rephraser's unit tests.

Rasa is our own server, not something outside this machine, but the trained model is not
the unit under test here: these tests check what the rephraser does with a parse, so a
scripted parse keeps them fast and independent of training. The payload has the shape
Rasa 3.6 returns (``text``, ``intent``, ``entities`` with ``start``/``end``/``extractor``,
``intent_ranking``); text that is not scripted parses as ``nlu_fallback``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from aiohttp import web

from tests.fakes.openai_server import BackgroundHTTPServer


@dataclass(frozen=True)
class ScriptedParse:
    intent: str
    confidence: float
    entities: dict[str, str]


class FakeRasaParse(BackgroundHTTPServer):
    def __init__(self, token: str | None = None) -> None:
        super().__init__()
        self.token = token
        self._parses: dict[str, ScriptedParse] = {}
        self._lock = threading.Lock()
        self.texts: list[str] = []

    def script(self, text: str, intent: str, confidence: float = 0.95, **entities: str) -> None:
        with self._lock:
            self._parses[text.strip().lower()] = ScriptedParse(intent, confidence, entities)

    def build_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/model/parse", self._parse)
        return app

    async def _parse(self, request: web.Request) -> web.Response:
        if self.token is not None and request.query.get("token") != self.token:
            return web.json_response(
                {
                    "version": "3.6.21",
                    "status": "failure",
                    "reason": "NotAuthenticated",
                    "message": "User is not authenticated.",
                    "code": 401,
                },
                status=401,
            )
        body = await request.json()
        text = body.get("text", "")
        with self._lock:
            self.texts.append(text)
            scripted = self._parses.get(text.strip().lower())
        return web.json_response(parse_payload(text, scripted))


def parse_payload(text: str, scripted: ScriptedParse | None) -> dict:
    if scripted is None:
        scripted = ScriptedParse("nlu_fallback", 0.7, {})
        ranking = [{"name": "nlu_fallback", "confidence": 0.7}, {"name": "request_part", "confidence": 0.31}]
    else:
        ranking = [{"name": scripted.intent, "confidence": scripted.confidence}]
    entities = []
    for name, value in scripted.entities.items():
        start = text.lower().find(value.lower())
        entities.append(
            {
                "entity": name,
                "start": max(start, 0),
                "end": max(start, 0) + len(value),
                "confidence_entity": 0.99,
                "value": value,
                "extractor": "DIETClassifier",
            }
        )
    return {
        "text": text,
        "intent": {"name": scripted.intent, "confidence": scripted.confidence},
        "entities": entities,
        "text_tokens": [],
        "intent_ranking": ranking,
        "response_selector": {"all_retrieval_intents": [], "default": {"response": {}, "ranking": []}},
    }
