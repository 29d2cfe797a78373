"""validate_part_form on real trackers and the real sample catalog."""

from __future__ import annotations

import json

import pytest

from actions.forms import ValidatePartForm, ValidateSlotMappings
from tests.assistant.conftest import make_tracker, responses, slot_events


async def run_form(tracker, dispatcher, domain):
    return await ValidatePartForm().run(dispatcher, tracker, domain)


async def test_one_arabic_message_fills_every_slot_canonically(runtime, dispatcher, domain):
    tracker = make_tracker("ابي فحمات لاندكروزر 2015", intent="request_part", slots={"language": "ar"})
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["part"] == "Brake Pads"
    assert slots["make"] == "Toyota"
    assert slots["model"] == "Land Cruiser"
    assert slots["year"] == "2015"
    assert dispatcher.messages == []


async def test_misspelt_make_and_model_are_canonicalised(runtime, dispatcher, domain):
    tracker = make_tracker(
        "toyta landcrusier 2015",
        entities=[{"entity": "make", "value": "toyta"}, {"entity": "model", "value": "landcrusier"}],
        slots={"part": "Brake Pads", "requested_slot": "make"},
    )
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert (slots["make"], slots["model"], slots["year"]) == ("Toyota", "Land Cruiser", "2015")


async def test_model_alone_brings_its_make(runtime, dispatcher, domain):
    tracker = make_tracker("prado", slots={"part": "Brake Pads", "requested_slot": "make"})
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["model"] == "Prado"
    assert slots["make"] == "Toyota"


async def test_ambiguous_model_asks_with_buttons(runtime, dispatcher, domain):
    tracker = make_tracker(
        "cruiser", slots={"part": "Brake Pads", "make": "Toyota", "requested_slot": "model"}
    )
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots.get("model") is None
    [message] = dispatcher.messages
    assert message["response"] == "utter_ambiguous_model"
    offered = {json.loads(b["payload"].removeprefix("/inform"))["model"] for b in message["buttons"]}
    assert {"Land Cruiser"} <= offered and len(offered) >= 2
    assert all(len(b["title"]) <= 20 for b in message["buttons"])


async def test_unknown_model_lists_the_makes_models(runtime, dispatcher, domain):
    tracker = make_tracker(
        "corvettex", slots={"part": "Brake Pads", "make": "Toyota", "requested_slot": "model"}
    )
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots.get("model") is None
    [message] = dispatcher.messages
    assert message["response"] == "utter_unknown_model"
    assert "Camry" in message["options"] and "Land Cruiser" in message["options"]


async def test_impossible_year_is_refused(runtime, dispatcher, domain):
    tracker = make_tracker("3015", slots={"part": "Brake Pads", "make": "Toyota", "model": "Camry",
                                          "requested_slot": "year"})  # fmt: skip
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["year"] is None
    assert responses(dispatcher) == ["utter_bad_year"]


async def test_two_digit_year_when_asked_for_the_year(runtime, dispatcher, domain):
    tracker = make_tracker("15", slots={"part": "Brake Pads", "make": "Toyota", "model": "Camry",
                                        "requested_slot": "year"})  # fmt: skip
    assert slot_events(await run_form(tracker, dispatcher, domain))["year"] == "2015"


async def test_correction_mid_form_switches_the_car(runtime, dispatcher, domain):
    tracker = make_tracker("sorry its toyota prado", slots={"part": "Shock Absorber", "make": "Nissan",
                                                            "requested_slot": "model"})  # fmt: skip
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert (slots["make"], slots["model"]) == ("Toyota", "Prado")


async def test_new_make_after_results_clears_the_model_only(runtime, dispatcher, domain):
    tracker = make_tracker(
        "actually it's a nissan",
        slots={"part": "Oil Filter", "make": "Toyota", "model": "Camry", "year": "2019"},
    )
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["make"] == "Nissan"
    assert slots["model"] is None  # a Camry is no Nissan; the part and the year stay
    assert "year" not in slots and "part" not in slots


async def test_model_correction_keeps_part_and_year_when_the_new_model_has_it(runtime, dispatcher, domain):
    tracker = make_tracker(
        "not Corolla, Camry",
        slots={"part": "Brake Pads", "make": "Toyota", "model": "Corolla", "year": "2016"},
    )
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["model"] == "Camry" and slots.get("make", "Toyota") == "Toyota"
    assert slots.get("year", "2016") == "2016" and slots.get("part", "Brake Pads") == "Brake Pads"


async def test_model_correction_asks_the_year_again_when_the_new_model_lacks_it(runtime, dispatcher, domain):
    tracker = make_tracker(  # the sample catalog has Land Cruiser 70 parts from 2007 only
        "sorry not land cruiser, land cruiser 70",
        slots={"part": "Brake Pads", "make": "Toyota", "model": "Land Cruiser", "year": "2003"},
    )
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["model"] == "Land Cruiser 70" and slots["year"] is None


@pytest.mark.parametrize("filler", ["I mean", "model", "the", "بس", "يعني", "مو", "ya3ni", "modeel"])
async def test_filler_never_replaces_a_good_value(runtime, dispatcher, domain, filler):
    entities = [{"entity": "part", "value": filler}, {"entity": "model", "value": filler}]
    good = {"part": "Oil Filter", "make": "Nissan", "model": "Patrol", "year": "2018"}
    tracker = make_tracker(filler, intent="inform", entities=entities, slots=good)
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert all(slots.get(name, value) == value for name, value in good.items()), slots
    assert not any(m.get("response", "").startswith("utter_unknown") for m in dispatcher.messages)


async def test_same_car_new_part_keeps_the_vehicle(runtime, dispatcher, domain):
    tracker = make_tracker(
        "also an oil filter for the same car", intent="request_part",
        slots={"part": "Brake Pads", "make": "Toyota", "model": "Land Cruiser", "year": "2015"},
    )  # fmt: skip
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots == {"part": "Oil Filter"}


async def test_part_number_skips_the_vehicle_questions(runtime, dispatcher, domain):
    tracker = make_tracker("do you have 04465-60320", intent="request_part", slots={"requested_slot": None})
    events = await run_form(tracker, dispatcher, domain)
    slots = slot_events(events)
    assert slots["part_number"] == "04465-60320"
    assert "requested_slot" in slots and slots["requested_slot"] is None


async def test_yes_accepts_the_pending_suggestion(runtime, dispatcher, domain):
    suggestion = {"slot": "make", "value": "Toyota"}
    yes = make_tracker("yes", intent="affirm", slots={"part": "Brake Pads", "requested_slot": "make",
                                                      "suggestion": suggestion})  # fmt: skip
    slots = slot_events(await run_form(yes, dispatcher, domain))
    assert slots["make"] == "Toyota"
    assert slots["suggestion"] is None


async def test_unknown_make_lists_the_makes_we_carry(runtime, dispatcher, domain):
    tracker = make_tracker("lamborghini", slots={"part": "Brake Pads", "requested_slot": "make"})
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["make"] is None
    [message] = dispatcher.messages
    assert message["response"] == "utter_unknown_make"
    assert "Toyota" in message["options"] and "Nissan" in message["options"]


async def test_store_question_leaves_the_form_alone(runtime, dispatcher, domain):
    tracker = make_tracker("where is your shop", intent="ask_store_info",
                           slots={"part": "Brake Pads", "requested_slot": "make"})  # fmt: skip
    events = await run_form(tracker, dispatcher, domain)
    assert [e for e in events if e.get("name") != "requested_slot"] == []
    assert dispatcher.messages == []


async def test_vin_fills_make_and_tells_the_customer(runtime, dispatcher, domain):
    tracker = make_tracker("JTMHV05J504123456", slots={"part": "Brake Pads", "requested_slot": "make"})
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["vin"] == "JTMHV05J504123456"
    assert slots["make"] == "Toyota"
    assert responses(dispatcher) == ["utter_vin_read"]


async def test_catalog_down_keeps_the_entities(broken_runtime, dispatcher, domain):
    tracker = make_tracker(
        "need pads for camry", intent="request_part",
        entities=[{"entity": "part", "value": "pads"}, {"entity": "model", "value": "camry"}],
    )  # fmt: skip
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["part"] == "pads" and slots["model"] == "Camry"


async def test_language_slot_follows_the_customer(runtime, dispatcher, domain):
    action = ValidateSlotMappings()
    arabic = make_tracker("ابي فحمات", slots={"language": "en"}, active_loop=None)
    assert slot_events(await action.run(dispatcher, arabic, domain)) == {"language": "ar"}
    year_only = make_tracker("2015", slots={"language": "ar"}, active_loop=None)
    assert slot_events(await action.run(dispatcher, year_only, domain)) == {}


async def test_number_typed_as_the_year_answer_is_read_as_the_year(runtime, dispatcher, domain):
    slots = {"part": "Brake Pads", "make": "Toyota", "model": "Camry", "requested_slot": "year"}
    tracker = make_tracker("15", intent="choose_part", slots=slots)
    assert slot_events(await run_form(tracker, dispatcher, domain))["year"] == "2015"


async def test_short_unclear_answer_to_the_model_question_lists_the_models(runtime, dispatcher, domain):
    tracker = make_tracker("corvette", intent="nlu_fallback", slots={"part": "Brake Pads", "make": "Nissan",
                                                                     "requested_slot": "model"})  # fmt: skip
    await run_form(tracker, dispatcher, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_unknown_model" and "Patrol" in message["options"]


async def test_a_named_part_after_a_part_number_search_stops_the_number_search(runtime, dispatcher, domain):
    tracker = make_tracker("my vin is JTMHV05J504123456 need oil filter", intent="request_part",
                           slots={"part_number": "04465-60320"})  # fmt: skip
    slots = slot_events(await run_form(tracker, dispatcher, domain))
    assert slots["part_number"] is None
    assert (slots["part"], slots["make"], slots["vin"]) == ("Oil Filter", "Toyota", "JTMHV05J504123456")


async def test_unknown_word_misread_as_deny_is_an_answer_not_a_cancel(runtime, dispatcher, domain):
    slots = {"part": "Brake Pads", "requested_slot": "make"}
    events = await run_form(make_tracker("lamborghini", intent="deny", slots=slots), dispatcher, domain)
    assert slot_events(events)["make"] is None
    assert responses(dispatcher) == ["utter_unknown_make"]


async def test_a_real_no_leaves_the_form_to_the_cancel_rule(runtime, dispatcher, domain):
    slots = {"part": "Brake Pads", "requested_slot": "make"}
    events = await run_form(make_tracker("no thanks", intent="deny", slots=slots), dispatcher, domain)
    assert [e for e in events if e.get("name") != "requested_slot"] == []
    assert dispatcher.messages == []
