"""Store information (location, hours, delivery, payment, warranty) from config/store.yml."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import get_runtime
from catalog.normalize import normalize_text

log = logging.getLogger(__name__)
TOPICS = ("location", "hours", "delivery", "payment", "warranty")
DEFAULT_TOPICS = ("location", "hours")


class StoreInfoError(ValueError):
    """config/store.yml is missing a topic or a language."""


@dataclass(frozen=True)
class StoreInfo:
    name: dict[str, str]
    answers: dict[str, dict[str, str]]  # topic -> language -> text
    keywords: dict[str, frozenset[str]]  # topic -> normalised keywords

    @classmethod
    def load(cls, path: Path) -> StoreInfo:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topics = data.get("topics") or {}
        answers, keywords = {}, {}
        for topic in TOPICS:
            entry = topics.get(topic)
            if not entry or not entry.get("en") or not entry.get("ar"):
                raise StoreInfoError(f"{path}: topic '{topic}' needs 'en' and 'ar' texts")
            answers[topic] = {"en": str(entry["en"]).strip(), "ar": str(entry["ar"]).strip()}
            keywords[topic] = frozenset(normalize_text(str(k)) for k in entry.get("keywords") or [])
        return cls(name=dict(data.get("name") or {}), answers=answers, keywords=keywords)

    def topics_in(self, text: str) -> list[str]:
        """Topics the question is about, in config order; location and hours when unclear."""
        words = set(normalize_text(text).split())
        norm = f" {normalize_text(text)} "
        found = [
            topic
            for topic in TOPICS
            if any((k in words) or (" " in k and f" {k} " in norm) for k in self.keywords[topic])
        ]
        return found or list(DEFAULT_TOPICS)

    def answer(self, text: str, language: str) -> str:
        lang = "ar" if language == "ar" else "en"
        return "\n".join(self.answers[t][lang] for t in self.topics_in(text))


_cache: dict[Path, tuple[int, StoreInfo]] = {}


def load_store_info(path: Path) -> StoreInfo:
    """The parsed file, re-read only when it changed on disk."""
    stamp = path.stat().st_mtime_ns
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    info = StoreInfo.load(path)
    _cache[path] = (stamp, info)
    return info


class ActionStoreInfo(Action):
    """Answer a store question in the customer's language."""

    def name(self) -> str:
        return "action_store_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        path = get_runtime().settings.store_info_path
        try:
            info = await asyncio.to_thread(load_store_info, path)
        except (OSError, yaml.YAMLError, StoreInfoError) as exc:
            log.error("store info unavailable: %s", exc)
            dispatcher.utter_message(response="utter_catalog_down")
            return []
        text = tracker.latest_message.get("text") or ""
        dispatcher.utter_message(
            response="utter_store_info", info=info.answer(text, tracker.get_slot("language") or "en")
        )
        return []
