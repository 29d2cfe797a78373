"""Rasa's entity annotation in training examples, both ways.

``[Land Cruiser](model)`` marks an entity whose value is the text itself;
``[لاندكروزر]{"entity": "model", "value": "Land Cruiser"}`` gives the canonical value too
(Rasa 3 YAML training data format). :func:`annotate` writes an example from a message and
its entity spans; :func:`parse_example` reads one back (text without the marks, spans), with the
same pattern Rasa's own parser uses, so that a reviewed example means to Rasa what the
designer saw in the console (tests/insights/test_annotations.py checks it against Rasa).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# rasa/shared/nlu/training_data/entities_parser.py: ENTITY_REGEX
_ENTITY = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}|\[(?P<list_entity_dicts>.*?)\])"
)
_ENTITY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RESERVED = re.compile(r"[\[\]{}]")


class AnnotationError(ValueError):
    """Spans that cannot be written as a Rasa example (overlap, out of range, brackets)."""


@dataclass(frozen=True)
class Span:
    """An entity in a message: characters ``start:end``, its type and canonical value."""

    start: int
    end: int
    entity: str
    value: str | None = None

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]


def annotate(text: str, spans: list[Span]) -> str:
    """The Rasa training example for ``text`` with ``spans`` marked."""
    text = _clean(text)
    checked = check_spans(text, spans)
    out, position = [], 0
    for span in checked:
        said = span.text_in(text)
        out.append(text[position : span.start])
        if span.value is None or span.value == said:
            out.append(f"[{said}]({span.entity})")
        else:
            mark = json.dumps({"entity": span.entity, "value": span.value}, ensure_ascii=False)
            out.append(f"[{said}]{mark}")
        position = span.end
    out.append(text[position:])
    return "".join(out).strip()


def check_spans(text: str, spans: list[Span]) -> list[Span]:
    """Spans sorted, trimmed of surrounding spaces and validated; raises AnnotationError."""
    if _RESERVED.search(text):
        raise AnnotationError("the message contains [ ] { }, which Rasa's format reserves for entities")
    trimmed = []
    for span in spans:
        if not _ENTITY_NAME.match(span.entity or ""):
            raise AnnotationError(f"{span.entity!r} is not an entity name")
        if not (0 <= span.start < span.end <= len(text)):
            raise AnnotationError(f"span {span.start}-{span.end} is outside the message")
        start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            raise AnnotationError(f"span {span.start}-{span.end} holds only spaces")
        value = span.value.strip() if isinstance(span.value, str) and span.value.strip() else None
        trimmed.append(Span(start, end, span.entity, value))
    trimmed.sort(key=lambda s: s.start)
    for before, after in zip(trimmed, trimmed[1:], strict=False):
        if after.start < before.end:
            raise AnnotationError(f"entities overlap: {before.text_in(text)!r} and {after.text_in(text)!r}")
    return trimmed


def parse_example(example: str) -> tuple[str, list[Span]]:
    """The plain text of an annotated example and its entity spans."""
    spans, plain, position = [], [], 0
    for match in _ENTITY.finditer(example):
        plain.append(example[position : match.start()])
        start = sum(len(p) for p in plain)
        said = match.group("entity_text")
        plain.append(said)
        position = match.end()
        entity, value = _entity_of(match)
        if entity:
            spans.append(Span(start, start + len(said), entity, value))
    plain.append(example[position:])
    return "".join(plain), spans


def normalise_example(text: str) -> str:
    """The comparison key of an example: case-folded, single spaces (how duplicates are found)."""
    return " ".join(text.split()).casefold()


def _entity_of(match: re.Match) -> tuple[str | None, str | None]:
    if match.group("entity"):
        return match.group("entity"), match.group("value")
    raw = match.group("entity_dict")
    if raw:
        try:
            data = json.loads("{" + raw + "}")
        except json.JSONDecodeError:
            return None, None
        return data.get("entity"), data.get("value")
    return None, None


def _clean(text: str) -> str:
    """One line, as an example must be: line breaks and tabs become spaces (offsets unchanged)."""
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
