"""Chassis numbers in the conversation (issue 5): typed, tapped, looked up, remembered, offered again.

Real trackers, the real sample catalog, the real ``catalog.vehicle_ids`` and, for the online
lookup, the local fake vPIC server (tests/fakes/vpic.py) over HTTP.
"""

from __future__ import annotations

import json

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.asking import AskMake, AskModel, AskPart
from actions.domain_copy import response_text
from actions.forms import ValidatePartForm
from actions.runtime import build_runtime, set_runtime
from actions.search import ActionSearchParts
from actions.session import ActionSessionStart
from actions.settings import AssistantSettings
from catalog.chassis_lookup import LookupSettings
from catalog.leads import save_customer_vehicle, set_handoff
from catalog.schema import Customer, CustomerVehicle
from catalog.settings import Settings
from shopkernel.db import session_scope
from tests.assistant.conftest import bot_event, make_tracker, responses, slot_events
from tests.fakes.vpic import FakeVpicServer

ACCEPTANCE = "my chassis is JTMHV05J504123456, need oil filter"


async def form(tracker, domain, dispatcher=None):
    dispatcher = dispatcher or CollectingDispatcher()
    return dispatcher, slot_events(await ValidatePartForm().run(dispatcher, tracker, domain))


def vehicles_of(runtime, sender):
    with session_scope(runtime.session_factory) as session:
        stmt = (
            select(CustomerVehicle)
            .join(Customer, Customer.id == CustomerVehicle.customer_id)
            .where(Customer.channel_user_id == sender)
        )
        return [(v.make, v.model, v.year, v.vin, v.frame_number) for v in session.execute(stmt).scalars()]


# --------------------------------------------------------------------------- typed numbers
async def test_vin_in_the_first_message_fills_the_make_and_leaves_model_and_year_to_ask(runtime, domain):
    sender = "971501000001"
    tracker = make_tracker(ACCEPTANCE, intent="request_part", sender=sender, active_loop=None)
    dispatcher, slots = await form(tracker, domain)
    assert (slots["part"], slots["make"], slots["vin"]) == ("Oil Filter", "Toyota", "JTMHV05J504123456")
    assert "model" not in slots and "year" not in slots  # Japanese VINs do not say: the form asks
    [read] = dispatcher.messages
    assert read["response"] == "utter_vin_read" and read["vehicle"] == "Toyota"
    assert vehicles_of(runtime, sender) == [("Toyota", None, None, "JTMHV05J504123456", None)]


async def test_frame_number_gives_make_and_model_and_is_not_stored_as_a_vin(runtime, domain):
    tracker = make_tracker("need radiator for GRJ200-1234567", intent="request_part",
                           sender="971501000002", active_loop=None)  # fmt: skip
    _, slots = await form(tracker, domain)
    assert (slots["make"], slots["model"], slots["frame_number"]) == (
        "Toyota",
        "Land Cruiser",
        "GRJ200-1234567",
    )
    assert slots.get("vin") is None


async def test_vin_typed_when_asked_for_the_year_is_not_read_as_a_year(runtime, domain):
    slots = {"part": "Brake Pads", "make": "Toyota", "model": "Land Cruiser", "requested_slot": "year"}
    dispatcher, got = await form(
        make_tracker("JTMHV05J504123456", slots=slots, sender="971501000003"), domain
    )
    assert responses(dispatcher) == ["utter_vin_read"]  # not "send the year as 4 digits"
    assert got["vin"] == "JTMHV05J504123456" and got.get("year") is None
    assert got.get("model", "Land Cruiser") == "Land Cruiser"  # the typed model stays


async def test_online_lookup_fills_model_and_year_when_configured(catalog_url, tmp_path, domain):
    with FakeVpicServer() as vpic:
        settings = AssistantSettings(
            catalog=Settings(database_url=catalog_url),
            spool_path=tmp_path / "spool.jsonl",
            lookup=LookupSettings(base_url=vpic.base_url),
        )
        set_runtime(build_runtime(settings))
        try:
            tracker = make_tracker("oil filter, vin JTMHY7AJ1D4012345", intent="request_part",
                                   sender="971501000004", active_loop=None)  # fmt: skip
            dispatcher, slots = await form(tracker, domain)
            assert (slots["make"], slots["model"], slots["year"]) == ("Toyota", "Land Cruiser", "2013")
            assert dispatcher.messages[0]["vehicle"] == "Toyota Land Cruiser 2013"
            assert vpic.count == 1
            # the answer is cached: the same VIN again costs no request
            await form(make_tracker("JTMHY7AJ1D4012345", sender="971501000004"), domain)
            assert vpic.count == 1
        finally:
            set_runtime(None)


async def test_lookup_provider_down_keeps_the_offline_decode(catalog_url, tmp_path, domain):
    with FakeVpicServer() as vpic:
        vpic.script("500", "500", "500", "500")
        lookup = LookupSettings(base_url=vpic.base_url, retry_backoff_s=0)
        settings = AssistantSettings(
            catalog=Settings(database_url=catalog_url), spool_path=tmp_path / "s.jsonl", lookup=lookup
        )
        set_runtime(build_runtime(settings))
        try:
            tracker = make_tracker("1GNSKBKC2FR012345", sender="971501000005", active_loop=None)
            dispatcher, slots = await form(tracker, domain)
        finally:
            set_runtime(None)
        assert vpic.count >= 2  # asked, retried, then gave up for this turn
    assert (slots["make"], slots["year"]) == ("Chevrolet", "2015") and "model" not in slots  # offline decode
    assert responses(dispatcher) == ["utter_vin_read"]


# --------------------------------------------------------------------------- invalid numbers
def rendered(domain, message: dict, language: str = "en") -> str:
    """The text the customer reads for a response the action sent (its domain.yml wording)."""
    values = {k: v for k, v in message.items() if k not in ("response", "buttons", "template")}
    return response_text(domain, message["response"], language, **values)


async def test_invalid_number_explains_once_then_falls_back_to_make_model_year(runtime, domain):
    base = {"part": "Brake Pads", "requested_slot": "make"}
    first, slots = await form(make_tracker("JTMHV05J5041234", slots=base, sender="971501000006"), domain)
    [explained] = first.messages
    assert explained["response"] == "utter_vin_problem_length"
    text = rendered(domain, explained)
    assert "15 characters" in text and "17" in text
    assert slots == {"vin_retry": "retry"}  # nothing filled from a number that cannot be right
    # the explanation asked for the number again: the form adds no second question
    ask = CollectingDispatcher()
    after = make_tracker("JTMHV05J5041234", slots={**base, "vin_retry": "retry"},
                         events_after=[bot_event("utter_vin_problem_length")])  # fmt: skip
    await AskMake().run(ask, after, domain)
    assert ask.messages == []

    again = make_tracker("JTMHV05J50412345", slots={**base, "vin_retry": "retry"}, sender="971501000006")
    second, slots = await form(again, domain)
    assert responses(second) == ["utter_vin_give_up"]
    assert slots["vin_retry"] == "gave_up"
    ask = CollectingDispatcher()
    await AskMake().run(ask, make_tracker("x", slots={**base, "vin_retry": "gave_up"},
                                          events_after=[bot_event("utter_vin_give_up")]), domain)  # fmt: skip
    assert responses(ask) == ["utter_ask_make"]


async def test_invalid_number_is_explained_in_arabic(runtime, domain):
    tracker = make_tracker("رقم الشاصي JTMHV05J5O412345", slots={"language": "ar", "requested_slot": "make"})
    dispatcher, _ = await form(tracker, domain)
    [explained] = dispatcher.messages
    assert explained["response"] == "utter_vin_problem_length"  # 16 characters
    assert "رقم الشاصي" in rendered(domain, explained, "ar") and "16" in rendered(domain, explained, "ar")


async def test_check_digit_typo_offers_the_likely_vin_as_a_button_that_fills_the_car(runtime, domain):
    dispatcher, _ = await form(make_tracker("1HGCMB2633A004352", slots={"requested_slot": "make"}), domain)
    [explained] = dispatcher.messages
    assert "9th character" in rendered(domain, explained)
    [button] = explained["buttons"]
    assert button["title"] == "1HGCM82633A004352" and len(button["title"]) <= 20
    entities = [{"entity": "vin", "value": "1HGCM82633A004352"}]
    tap = make_tracker(button["payload"], intent="inform", entities=entities,
                       slots={"requested_slot": "make", "vin_retry": "retry"})  # fmt: skip
    _, slots = await form(tap, domain)
    assert (slots["make"], slots["vin"], slots["vin_retry"]) == ("Honda", "1HGCM82633A004352", None)


async def test_another_car_typed_after_a_vin_forgets_the_vin(runtime, domain):
    slots = {"part": "Oil Filter", "make": "Toyota", "model": "Land Cruiser", "year": "2015",
             "vin": "JTMHV05J504123456"}  # fmt: skip
    _, got = await form(make_tracker("actually it's a nissan patrol", slots=slots), domain)
    assert (got["make"], got["model"], got["vin"]) == ("Nissan", "Patrol", None)


# --------------------------------------------------------------------------- same car as last time
async def test_returning_customer_is_offered_the_last_car_and_yes_fills_it(runtime, domain):
    sender = "971501000010"
    with session_scope(runtime.session_factory) as session:
        save_customer_vehicle(session, sender, "Toyota", "Land Cruiser", 2015, vin="JTMHV05J504123456")
    start = make_tracker(
        "need brake pads", intent="request_part", sender=sender, active_loop=None, activating=True
    )
    dispatcher, slots = await form(start, domain)
    assert dispatcher.messages == []
    assert slots["part"] == "Brake Pads" and slots["requested_slot"] == "make"
    offer = slots["vehicle_offer"]
    assert (offer["make"], offer["model"], offer["year"]) == ("Toyota", "Land Cruiser", 2015)

    ask = CollectingDispatcher()
    await AskPart().run(ask, make_tracker("need brake pads", slots={"vehicle_offer": offer}), domain)
    assert responses(ask) == ["utter_ask_part"]  # the offer is about the car, not the part
    ask = CollectingDispatcher()
    await AskMake().run(ask, make_tracker("need brake pads", slots={"vehicle_offer": offer}), domain)
    [question] = ask.messages
    assert question["response"] == "utter_same_car" and question["vehicle"] == "Toyota Land Cruiser 2015"

    for answer, intent in (("yes", "affirm"), ("/affirm", "affirm"), ("same car", "inform")):
        pending = {"part": "Brake Pads", "vehicle_offer": offer, "requested_slot": "make"}
        yes = make_tracker(answer, intent=intent, sender=sender, slots=pending)
        _, got = await form(yes, domain)
        assert (got["make"], got["model"], got["year"]) == ("Toyota", "Land Cruiser", "2015"), answer
        assert got["vin"] == "JTMHV05J504123456" and got["vehicle_offer"] is None


async def test_offer_in_arabic_uses_arabic_names(runtime, domain):
    offer = {"make": "Toyota", "model": "Land Cruiser", "year": 2015, "vin": None, "frame_number": None}
    ask = CollectingDispatcher()
    await AskMake().run(
        ask, make_tracker("ابي فحمات", slots={"vehicle_offer": offer, "language": "ar"}), domain
    )
    assert "تويوتا" in ask.messages[0]["vehicle"]


async def test_another_car_drops_the_offer_and_asks_the_make(runtime, domain):
    offer = {"make": "Toyota", "model": "Land Cruiser", "year": 2015, "vin": None, "frame_number": None}
    base = {"part": "Brake Pads", "vehicle_offer": offer, "requested_slot": "make"}
    for answer, intent in (("/deny", "deny"), ("no another car", "deny")):
        dispatcher, got = await form(make_tracker(answer, intent=intent, slots=base), domain)
        assert got["vehicle_offer"] is None and "make" not in got, answer
        assert dispatcher.messages == []
    ask = CollectingDispatcher()
    await AskMake().run(ask, make_tracker("/deny", intent="deny", slots={"part": "Brake Pads"}), domain)
    assert responses(ask) == ["utter_ask_make"]
    # naming the other car answers the offer too
    _, got = await form(make_tracker("it's for my nissan patrol 2018", slots=base), domain)
    assert (got["make"], got["model"], got["year"], got["vehicle_offer"]) == (
        "Nissan",
        "Patrol",
        "2018",
        None,
    )


async def test_no_offer_when_the_request_names_a_car_or_the_customer_is_new(runtime, domain):
    sender = "971501000011"
    with session_scope(runtime.session_factory) as session:
        save_customer_vehicle(session, sender, "Toyota", "Camry", 2019)
    named = make_tracker(
        "need brake pads for my patrol",
        intent="request_part",
        sender=sender,
        active_loop=None,
        activating=True,
    )
    _, slots = await form(named, domain)
    assert "vehicle_offer" not in slots and slots["model"] == "Patrol"
    new = make_tracker("need brake pads", intent="request_part", sender="971501000012", activating=True)
    _, slots = await form(new, domain)
    assert "vehicle_offer" not in slots
    mid_form = make_tracker("need brake pads", intent="request_part", sender=sender, active_loop="part_form")
    _, slots = await form(mid_form, domain)
    assert "vehicle_offer" not in slots


async def test_search_remembers_the_car_for_next_time(runtime, domain):
    sender = "971501000013"
    slots = {"part": "Brake Pads", "make": "Toyota", "model": "Land Cruiser", "year": "2015",
             "vin": "JTMHV05J504123456"}  # fmt: skip
    with session_scope(runtime.session_factory) as session:  # the VIN was read earlier, make only
        save_customer_vehicle(session, sender, "Toyota", None, None, vin="JTMHV05J504123456")
    tracker = make_tracker("2015", slots=slots, sender=sender, active_loop=None)
    await ActionSearchParts().run(CollectingDispatcher(), tracker, domain)
    assert vehicles_of(runtime, sender) == [("Toyota", "Land Cruiser", 2015, "JTMHV05J504123456", None)]


async def test_new_session_keeps_language_and_list_but_not_the_car(runtime, domain):
    slots = {"make": "Toyota", "model": "Camry", "year": "2019", "part": "Oil Filter", "language": "ar",
             "search_results": {"latest": ["A"], "items": {}}, "vehicle_offer": {"make": "Kia"}}  # fmt: skip
    events = await ActionSessionStart().run(CollectingDispatcher(), make_tracker("hi", slots=slots), domain)
    assert [e["event"] for e in events] == ["session_started", "slot", "slot", "action"]
    assert slot_events(events) == {"language": "ar", "search_results": slots["search_results"]}
    assert events[-1]["name"] == "action_listen"


async def test_a_customer_handed_to_a_person_stays_with_the_person_in_a_new_session(runtime, domain):
    sender = "971500000077"
    with session_scope(runtime.session_factory) as session:
        set_handoff(session, sender, True)
    events = await ActionSessionStart().run(CollectingDispatcher(), make_tracker("hi", sender=sender), domain)
    assert [e["event"] for e in events if e["event"] != "slot"] == ["session_started", "pause", "action"]
    with session_scope(runtime.session_factory) as session:
        set_handoff(session, sender, False)  # handed back to the bot
    events = await ActionSessionStart().run(CollectingDispatcher(), make_tracker("hi", sender=sender), domain)
    assert "pause" not in [e["event"] for e in events]


@pytest.mark.parametrize(
    "response", ["utter_confirm_chassis", "utter_confirm_chassis_number", "utter_same_car"]
)
def test_yes_no_questions_fit_whatsapp_reply_buttons(domain, response):
    variations = domain["responses"][response]
    assert {tuple(c["value"] for c in v.get("condition", [])) for v in variations} == {(), ("ar",)}
    for variation in variations:
        payloads = [b["payload"] for b in variation["buttons"]]
        assert payloads == ["/affirm", "/deny"]
        assert all(1 <= len(b["title"]) <= 20 for b in variation["buttons"])
    assert json.dumps(variations, ensure_ascii=False).count("{") >= 2  # the number/vehicle is shown


async def test_model_question_is_plain_when_nothing_is_pending(runtime, domain):
    ask = CollectingDispatcher()
    await AskModel().run(ask, make_tracker("toyota", slots={"make": "Toyota"}), domain)
    assert responses(ask) == ["utter_ask_model"]


async def test_vin_still_fills_the_make_while_the_catalog_is_down(broken_runtime, domain):
    tracker = make_tracker(ACCEPTANCE, intent="request_part", sender="971501000014", active_loop=None)
    dispatcher, slots = await form(tracker, domain)
    assert (slots["make"], slots["vin"]) == ("Toyota", "JTMHV05J504123456")
    assert responses(dispatcher) == ["utter_vin_read"]  # and no error: the vehicle is just not remembered
