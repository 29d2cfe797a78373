"""How many held-out messages would reach the fallback (and so the rephraser).

Pure counting over parse results; ``scripts/count_fallbacks.py`` produces the parses with
a trained Rasa model. A message "hits the fallback" when the model's own
FallbackClassifier turned it into ``nlu_fallback`` (confidence under the threshold, or
the top two intents too close), or, when an explicit ``threshold`` is given, when its
best real intent scores under it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str


@dataclass(frozen=True)
class FallbackMessage:
    """One held-out message that hit the fallback, for trainers to look at."""

    text: str
    expected: str
    best_intent: str | None
    best_confidence: float


@dataclass(frozen=True)
class FallbackReport:
    """Counts over the held-out set; ``by_intent`` maps expected intent → (fallbacks, total)."""

    total: int
    fallbacks: int
    recoverable: int  # fell back, yet the best real intent was the right one
    by_intent: dict[str, tuple[int, int]] = field(default_factory=dict)
    threshold: float | None = None
    fallback_messages: tuple[FallbackMessage, ...] = ()

    @property
    def rate(self) -> float:
        return self.fallbacks / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "fallbacks": self.fallbacks,
            "fallback_rate": round(self.rate, 4),
            "recoverable": self.recoverable,
            "threshold": self.threshold,
            "by_intent": {k: {"fallbacks": f, "total": t} for k, (f, t) in sorted(self.by_intent.items())},
            "fallback_messages": [
                {
                    "text": m.text,
                    "expected": m.expected,
                    "best_intent": m.best_intent,
                    "best_confidence": round(m.best_confidence, 4),
                }
                for m in self.fallback_messages
            ],
        }


def best_real_intent(parse: Mapping[str, Any]) -> tuple[str | None, float]:
    """The highest-ranked intent that is not ``nlu_fallback``, and its confidence."""
    ranking = parse.get("intent_ranking") or []
    for item in ranking:
        if item.get("name") != FALLBACK_INTENT:
            return item.get("name"), float(item.get("confidence") or 0.0)
    intent = parse.get("intent") or {}
    if intent.get("name") != FALLBACK_INTENT:
        return intent.get("name"), float(intent.get("confidence") or 0.0)
    return None, 0.0


def hits_fallback(parse: Mapping[str, Any], threshold: float | None = None) -> bool:
    if (parse.get("intent") or {}).get("name") == FALLBACK_INTENT:
        return True
    if threshold is None:
        return False
    return best_real_intent(parse)[1] < threshold


def summarise(
    pairs: Iterable[tuple[Example, Mapping[str, Any]]], threshold: float | None = None
) -> FallbackReport:
    """Count fallbacks over (expected example, parse) pairs."""
    totals: Counter[str] = Counter()
    falls: Counter[str] = Counter()
    recoverable = 0
    messages = []
    for example, parse in pairs:
        totals[example.intent] += 1
        if hits_fallback(parse, threshold):
            falls[example.intent] += 1
            best, confidence = best_real_intent(parse)
            recoverable += best == example.intent
            messages.append(FallbackMessage(example.text, example.intent, best, confidence))
    by_intent = {intent: (falls[intent], totals[intent]) for intent in totals}
    return FallbackReport(
        total=sum(totals.values()),
        fallbacks=sum(falls.values()),
        recoverable=recoverable,
        by_intent=by_intent,
        threshold=threshold,
        fallback_messages=tuple(messages),
    )
