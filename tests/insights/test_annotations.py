"""Entity annotations written by the review mean to Rasa what the designer marked."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.entities_parser import (
    find_entities_in_training_example,
    replace_entities,
)

from insights.annotations import AnnotationError, Span, annotate, parse_example

CASES = [
    (
        "need brake pads for my land cruiser 2015",
        [Span(5, 15, "part"), Span(23, 35, "model", "Land Cruiser"), Span(36, 40, "year")],
    ),  # fmt: skip
    ("ابي فحمات لاندكروزر 2015", [Span(4, 9, "part", "Brake Pads"), Span(10, 19, "model", "Land Cruiser")]),
    ("abi fa7mat patrol 2k19", [Span(4, 10, "part", "Brake Pads"), Span(18, 22, "year", "2019")]),
    ("price of 04465-60320?", [Span(9, 20, "part_number")]),
    ("no entity here", []),
]


@pytest.mark.parametrize(("text", "spans"), CASES)
def test_rasa_reads_back_the_text_spans_and_values(text, spans):
    example = annotate(text, spans)
    assert replace_entities(example) == text
    entities = find_entities_in_training_example(example)
    expected = [(s.start, s.end, s.entity, s.value or text[s.start : s.end]) for s in spans]
    assert [(e["start"], e["end"], e["entity"], e["value"]) for e in entities] == expected
    assert parse_example(example) == (text, [Span(s.start, s.end, s.entity, s.value) for s in spans])


def test_canonical_value_is_written_only_when_it_differs():
    assert annotate("toyota lc", [Span(0, 6, "make", "toyota")]) == "[toyota](make) lc"
    assert annotate("toyota lc", [Span(7, 9, "model", "Land Cruiser")]) == (
        'toyota [lc]{"entity": "model", "value": "Land Cruiser"}'
    )


def test_spaces_selected_around_a_word_are_trimmed():
    assert annotate("need  pads  now", [Span(5, 12, "part")]) == "need  [pads](part)  now"


@pytest.mark.parametrize(
    ("text", "spans", "problem"),
    [
        ("need pads", [Span(0, 9, "part"), Span(5, 9, "part")], "overlap"),
        ("need pads", [Span(5, 20, "part")], "outside"),
        ("need pads", [Span(4, 5, "part")], "only spaces"),
        ("need [pads]", [Span(6, 10, "part")], "reserves"),
        ("need pads", [Span(5, 9, "bad name!")], "not an entity name"),
    ],
)
def test_spans_rasa_could_not_read_are_refused(text, spans, problem):
    with pytest.raises(AnnotationError, match=problem):
        annotate(text, spans)
