"""Reading customer messages into slot candidates, on the real sample catalog's vocabulary."""

from __future__ import annotations

import pytest

from catalog.vocabulary import Vocabulary
from conversation.language import detect_language
from conversation.understanding import (
    MessageFacts,
    answer_to_pending,
    parse_year,
    read_message,
    stale_slots,
    years_said,
)
from shopkernel.db import make_engine, make_session_factory


@pytest.fixture(scope="module")
def vocab(catalog_url):
    engine = make_engine(catalog_url)
    with make_session_factory(engine)() as session:
        vocabulary = Vocabulary.load(session)
    engine.dispose()
    return vocabulary


def read(vocab, text, intent="request_part", entities=(), current=None, requested=None):
    facts = MessageFacts(text=text, intent=intent, entities=tuple(entities))
    return read_message(facts, vocab, current or {}, requested)


def test_arabic_one_message_gives_part_model_and_year(vocab):
    reading = read(vocab, "ابي فحمات لاندكروزر 2015")
    assert reading.candidates == {
        "part": "Brake Pads",
        "model": "Land Cruiser",
        "make": "Toyota",
        "year": "2015",
    }


def test_arabizi_with_clitic_and_question(vocab):
    reading = read(vocab, "salam, 3indkum fa7mat lel patrol 2018?")
    assert reading.candidates["part"] == "Brake Pads"
    assert reading.candidates["model"] == "Patrol"
    assert reading.candidates["year"] == "2018"


def test_arabic_digits_and_oil_filter(vocab):
    reading = read(vocab, "كم سعر فلتر الزيت كامري ٢٠١٩")
    assert reading.candidates["part"] == "Oil Filter"
    assert reading.candidates["model"] == "Camry"
    assert reading.candidates["year"] == "2019"


def test_entities_fill_what_the_vocabulary_does_not_know(vocab):
    entities = [{"entity": "part", "value": "turbo"}]
    reading = read(vocab, "need turbo", entities=entities)
    assert reading.candidates == {"part": "turbo"}


def test_correction_picks_the_new_year(vocab):
    reading = read(vocab, "sorry, 2016 not 2015", intent="inform", current={"year": "2015"})
    assert reading.candidates == {"year": "2016"}
    assert years_said("مو 2015، 2016", "2015") == "2016"
    assert years_said("2015 or 2016", "2015") == "2016"


def test_store_question_during_the_form_is_not_read(vocab):
    reading = read(vocab, "do you deliver brake pads to sharjah?", intent="ask_store_info")
    assert reading.empty


def test_free_text_answer_to_the_requested_model_is_kept_for_validation(vocab):
    reading = read(vocab, "the big one", intent="inform", requested="model")
    assert reading.candidates == {"model": "the big one"}


def test_button_payload_uses_entities_only(vocab):
    reading = read(
        vocab, '/inform{"model":"Prado"}', intent="inform", entities=[{"entity": "model", "value": "Prado"}]
    )
    assert reading.candidates == {"model": "Prado"}


def test_vin_fills_make_and_vin(vocab):
    reading = read(vocab, "my chassis is JTMHV05J504123456, need brake pads")
    assert reading.vin == "JTMHV05J504123456"
    assert reading.candidates["make"] == "Toyota"
    assert reading.candidates["part"] == "Brake Pads"


def test_part_number_is_kept(vocab):
    reading = read(vocab, "do you have 04465-60320")
    assert reading.part_number == "04465-60320"


def test_a_correction_changes_one_thing():
    previous = {"make": "Toyota", "model": "Camry", "year": "2019", "part": "Oil Filter"}
    now = {"make": "Nissan", "model": "Camry", "year": "2019", "part": "Oil Filter"}
    assert stale_slots(previous, now, {"make"}) == {"model"}  # a new make: the old model goes, the year stays

    def corolla_years(make, model, year):
        return 2014 <= year <= 2019 if model == "Corolla" else None

    assert stale_slots(previous, {**previous, "model": "Corolla"}, {"model"}, corolla_years) == set()
    old = {**previous, "year": "2010"}
    assert stale_slots(old, {**old, "model": "Corolla"}, {"model"}, corolla_years) == {"year"}
    assert stale_slots(previous, previous, {"part"}) == set()


@pytest.mark.parametrize(
    ("value", "requested", "expected"),
    [("2015", False, 2015), ("٢٠١٩", False, 2019), ("15", True, 2015), ("15", False, None),
     ("1800", False, None), ("model 2016", False, 2016), ("abc", True, None)],
)  # fmt: skip
def test_parse_year(value, requested, expected):
    assert parse_year(value, requested) == expected


@pytest.mark.parametrize(
    ("text", "previous", "expected"),
    [("ابي فحمات", "en", "ar"), ("need pads", "en", "en"), ("2015", "ar", "ar"), ("land cruiser", "ar", "ar"),
     ("i need brake pads please", "ar", "en"), ('/choose_part{"sku":"X"}', "ar", "ar"), ("ok", "ar", "ar"),
     ("", None, "en")],
)  # fmt: skip
def test_reply_language(text, previous, expected):
    assert detect_language(text, previous) == expected


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("yes", "affirm", "yes"),
        ("/affirm", "affirm", "yes"),
        ("/deny", "deny", "no"),
        ("yup", "inform", "yes"),  # NLU misfiled a one-word answer: the word decides
        ("ايوه", "choose_part", "yes"),
        ("same car", "request_part", "yes"),
        ("نفس السيارة", "inform", "yes"),
        ("no another car", "inform", "no"),
        ("لا", "inform", "no"),
        ("wrong number", "inform", "no"),
        ("nissan patrol 2018", "inform", None),  # not an answer: read as car details
        ("yes but i also need an oil filter for my other car", "affirm", "yes"),
        ("the one with the big engine from last year please", "inform", None),
    ],
)
def test_answers_to_our_yes_no_questions(text, intent, expected):
    assert answer_to_pending(MessageFacts(text=text, intent=intent)) == expected


@pytest.mark.parametrize(
    ("text", "model"),
    [("not Corolla, Camry", "Camry"), ("Camry not corolla", "Camry"), ("مو كورولا، كامري", "Camry"),
     ("la mo patrol, land cruiser", "Land Cruiser"), ("بدل كورولا كامري", "Camry")],
)  # fmt: skip
def test_a_name_taken_back_is_not_read(vocab, text, model):
    reading = read(vocab, text, intent="inform", current={"model": "Corolla", "year": "2016"})
    assert reading.candidates["model"] == model
    assert "year" not in reading.candidates and "part" not in reading.candidates


@pytest.mark.parametrize("text", ["I mean", "ya3ni", "بس", "the", "modeel"])
def test_filler_entities_are_no_candidates(vocab, text):
    entities = [{"entity": "part", "value": text}, {"entity": "model", "value": text}]
    reading = read(vocab, text, intent="inform", entities=entities, current={"part": "Oil Filter"})
    assert reading.candidates == {}
