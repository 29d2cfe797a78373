"""Validation of what the model sends back, before anything acts on it.

A rephrasing is only a hint for the NLU, but it must still be the customer's request:
JSON of the agreed shape, short, no echo of the prompt fence, no links, and no figure
(part number, price, year, quantity) the customer did not write. Anything else raises
:class:`~rephraser.errors.InvalidOutput` and the canned clarification is used.
"""

from __future__ import annotations

import json
import re

from rephraser.errors import InvalidOutput
from rephraser.guard import Fact, extract_facts, number_words

_WS = re.compile(r"\s+")
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_PLACEHOLDER = re.compile(r"<(?:phone|email|name)_\d+>")
_JOINABLE = re.compile(r"^[\s\-./]*$")
_MIN_FRAGMENT = 4
_MAX_JOIN = 4


def read_json_field(content: str | None, field: str) -> str:
    """The string under ``field`` in the model's JSON answer (a code fence is tolerated)."""
    text = (content or "").strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        obj = json.loads(text)
    except ValueError:
        raise InvalidOutput("model output is not JSON") from None
    if not isinstance(obj, dict) or not isinstance(obj.get(field), str):
        raise InvalidOutput(f"model output has no string field {field!r}")
    return _WS.sub(" ", obj[field]).strip()


def check_shape(text: str, *, max_chars: int, tag: str) -> None:
    """Length cap, no echo of the prompt fence, no links."""
    if len(text) > max_chars:
        raise InvalidOutput(f"model output too long ({len(text)} > {max_chars} characters)")
    if tag in text or "<<<" in text or ">>>" in text:
        raise InvalidOutput("model output echoes the prompt markers")
    if _URL.search(text):
        raise InvalidOutput("model output contains a link")


def _allowed_keys(source_facts: list[Fact], source: str) -> set[str]:
    """Keys of the customer's figures, also joined across spaces/dashes ("04465 60320")."""
    keys = {f.key for f in source_facts}
    for i in range(len(source_facts)):
        joined = source_facts[i].key
        for j in range(i + 1, min(i + _MAX_JOIN, len(source_facts))):
            gap = source[source_facts[j - 1].end : source_facts[j].start]
            if not _JOINABLE.match(gap):
                break
            joined += source_facts[j].key
            keys.add(joined)
    return keys


def _is_allowed(fact: Fact, keys: set[str]) -> bool:
    if fact.key in keys:
        return True
    # A piece of something the customer wrote ("04465" out of "04465-60320").
    if len(fact.key) >= _MIN_FRAGMENT and any(fact.key in k for k in keys if len(k) > len(fact.key)):
        return True
    # "camry 08" → "Camry 2008": a two-digit year written out in full.
    if fact.is_number and re.fullmatch(r"(19|20)\d\d", fact.key):
        return fact.key[2:] in keys or str(int(fact.key[2:])) in keys
    return False


def check_no_new_facts(text: str, source: str) -> None:
    """Every figure and number word in ``text`` must come from ``source``."""
    placeholders_out = set(_PLACEHOLDER.findall(text))
    if not placeholders_out <= set(_PLACEHOLDER.findall(source)):
        raise InvalidOutput("model output invents a personal-data placeholder")
    clean_source = _PLACEHOLDER.sub(" ", source)
    clean_text = _PLACEHOLDER.sub(" ", text)
    keys = _allowed_keys(extract_facts(clean_source), clean_source)
    invented = [f.raw for f in extract_facts(clean_text) if not _is_allowed(f, keys)]
    invented += sorted(number_words(clean_text) - number_words(clean_source))
    if invented:
        raise InvalidOutput(f"model output adds figures not in the message: {invented}")


def validate_rephrasing(content: str | None, source: str, *, max_chars: int, tag: str) -> str:
    """The checked rephrasing; ``""`` when the model says it cannot tell."""
    rephrased = read_json_field(content, "rephrased")
    if not rephrased:
        return ""
    check_shape(rephrased, max_chars=max_chars, tag=tag)
    check_no_new_facts(rephrased, source)
    return rephrased
