"""Markers on conversations recorded through the real Rasa and action servers.

The fixtures in tests/insights/recorded/ are Rasa's own tracker-store rows
(tests/insights/record_conversations.py); each test checks what a designer would see in the
review queue for that kind of conversation.
"""

from __future__ import annotations

import pytest

from insights.markers import MARKERS, MarkerRules, marker_counts, review, review_all
from tests.insights.conftest import RECORDED, recorded


def markers_of(name: str, now: float, rules: MarkerRules | None = None) -> dict[str, list]:
    item = review(recorded(name), rules, now)
    found: dict[str, list] = {}
    for flag in item.flags:
        found.setdefault(flag.marker, []).append(flag)
    return found


def test_a_smooth_conversation_has_no_marker(now_after):
    assert markers_of("happy_en", now_after) == {}
    assert markers_of("arabic_one_message", now_after) == {}


def test_unclear_message_is_an_nlu_fallback(now_after):
    found = markers_of("fallback", now_after)
    assert list(found) == ["nlu_fallback", "low_confidence"]
    assert found["nlu_fallback"][0].turn == 1 and "oman trip" in found["nlu_fallback"][0].reason


def test_rephrased_message_keeps_the_fallback_and_shows_both_texts(now_after):
    found = markers_of("rephrased", now_after)
    assert set(found) == {"nlu_fallback", "low_confidence", "rephrased"}
    [flag] = found["rephrased"]
    assert "oman trip" in flag.reason and "brake pads" in flag.reason.lower()
    conversation = recorded("rephrased")
    original, rephrased = conversation.turns
    assert original.reverted and not rephrased.reverted and rephrased.intent == "request_part"
    assert [t.text for t in conversation.customer_turns] == [rephrased.text]


def test_unknown_model_asks_the_same_question_twice(now_after):
    found = markers_of("asked_twice", now_after)
    [flag] = found["asked_twice"]
    assert flag.turn == 3 and "utter_ask_model" in flag.reason
    assert "slot_corrected" not in found  # the model was emptied, not changed


def test_year_changed_after_results_is_a_correction(now_after):
    [flag] = markers_of("correction", now_after)["slot_corrected"]
    assert flag.turn == 2 and flag.reason == "year: 2015 → 2016"


def test_restart_and_handoff(now_after):
    assert [f.turn for f in markers_of("restart", now_after)["restart"]] == [2]
    found = markers_of("handoff", now_after)
    assert [f.turn for f in found["handoff"]] == [2]
    assert "abandoned" not in found  # a person took over: not abandoned


def test_search_with_no_results_is_nothing_found(now_after):
    [flag] = markers_of("not_found", now_after)["nothing_found"]
    assert flag.reason == "no results for Battery Honda CR-V 2018"


def test_customer_who_left_mid_form_abandoned_only_once_silent(now_after):
    conversation = recorded("abandoned")
    assert markers_of("abandoned", conversation.ended_at + 60) == {}  # may still answer
    [flag] = markers_of("abandoned", now_after)["abandoned"]
    assert flag.reason == "left while asked for model"


def test_confidence_threshold_is_a_setting(now_after):
    strict = MarkerRules(confidence_threshold=1.01)
    flagged = markers_of("happy_en", now_after, strict)["low_confidence"]
    assert [f.turn for f in flagged] == [1, 2, 3, 4, 6]  # every typed message; the tap (5) is not


@pytest.mark.parametrize("marker", MARKERS)
def test_every_marker_is_found_in_some_recorded_conversation(marker, now_after):
    items = review_all([recorded(p.stem) for p in RECORDED.glob("*.json")], now=now_after)
    if marker == "low_confidence":
        items = review_all([recorded(p.stem) for p in RECORDED.glob("*.json")], MarkerRules(0.99), now_after)
    assert marker_counts(items)[marker] >= 1


def test_languages_of_recorded_conversations(now_after):
    languages = {name: review(recorded(name), now=now_after).language
                 for name in ("happy_en", "arabic_one_message", "arabizi")}  # fmt: skip
    assert languages == {"happy_en": "en", "arabic_one_message": "ar", "arabizi": "arabizi"}
