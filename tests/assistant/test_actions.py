"""Search, pick, handoff and store-info actions on the real sample catalog."""

from __future__ import annotations

import json

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.choice import ActionChoosePart
from actions.handoff import ActionHandoff
from actions.search import ActionSearchParts
from actions.store_info import ActionStoreInfo
from catalog.lead_spool import flush_spool
from catalog.schema import Customer, Fitment, Lead, Model, Part
from shopkernel.db import session_scope
from tests.assistant.conftest import make_tracker, responses, slot_events

LC_2015 = {"part": "Brake Pads", "make": "Toyota", "model": "Land Cruiser", "year": "2015", "language": "en"}


async def search(slots, domain, sender="971500000001"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("land cruiser 2015", slots=slots, sender=sender, active_loop=None)
    events = await ActionSearchParts().run(dispatcher, tracker, domain)
    return dispatcher, slot_events(events).get("search_results")


def leads(runtime, **where):
    with session_scope(runtime.session_factory) as session:
        stmt = select(Lead)
        for key, value in where.items():
            stmt = stmt.where(getattr(Lead, key) == value)
        return list(session.execute(stmt.order_by(Lead.id)).scalars())


async def test_search_shows_parts_that_fit_the_car(runtime, domain):
    dispatcher, remembered = await search(LC_2015, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_results"
    skus = remembered["latest"]
    assert 1 <= len(skus) <= runtime.settings.results_shown
    assert message["items"].count("AED") == len(skus)
    with session_scope(runtime.session_factory) as session:
        for sku in skus:
            part = session.execute(select(Part).where(Part.sku == sku)).scalar_one()
            assert part.category.name == "Brake Pads"
            fits = session.execute(
                select(Fitment).join(Model, Model.id == Fitment.model_id).where(
                    Fitment.part_id == part.id, Model.name == "Land Cruiser",
                    Fitment.year_from <= 2015, Fitment.year_to >= 2015,
                )
            ).first()  # fmt: skip
            assert fits is not None, sku
            assert part.name.split(" - ")[0] in message["items"] and part.part_number in message["items"]
    # each line names the customer's car as the fitment that matched, never another car
    assert message["items"].count("(fits Toyota Land Cruiser 2008-2021)") == len(skus)


async def test_results_are_renderable_on_whatsapp(runtime, domain):
    dispatcher, remembered = await search(LC_2015, domain)
    [message] = dispatcher.messages
    skus = remembered["latest"]
    if len(skus) <= 3:
        assert len(message["buttons"]) == len(skus)
        assert all(len(b["title"]) <= 20 for b in message["buttons"])
        ids = [b["payload"] for b in message["buttons"]]
    else:
        interactive = message["custom"]["whatsapp"]
        assert interactive["type"] == "list"
        assert len(interactive["action"]["button"]) <= 20
        [section] = interactive["action"]["sections"]
        assert len(section["title"]) <= 24 and len(section["rows"]) <= 10
        assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in section["rows"])
        ids = [r["id"] for r in section["rows"]]
    assert [json.loads(i.removeprefix("/choose_part"))["sku"] for i in ids] == skus


async def test_arabic_conversation_gets_arabic_labels(runtime, domain):
    dispatcher, _ = await search({**LC_2015, "language": "ar"}, domain)
    [message] = dispatcher.messages
    assert "لاندكروزر" in message["vehicle"] or "لاند كروزر" in message["vehicle"]


async def test_nothing_found_is_honest_and_leaves_a_lead(runtime, domain):
    slots = {**LC_2015, "part": "flux capacitor"}
    dispatcher, remembered = await search(slots, domain, sender="971500000077")
    assert responses(dispatcher) == ["utter_no_results"]
    assert remembered["latest"] == []
    [lead] = leads(runtime, channel_user_id="971500000077")
    assert (lead.kind, lead.status, lead.part_query, lead.model, lead.year) == (
        "not_found", "new", "flux capacitor", "Land Cruiser", 2015,
    )  # fmt: skip


async def test_search_by_part_number(runtime, domain):
    with session_scope(runtime.session_factory) as session:
        part = session.execute(select(Part).order_by(Part.id).limit(1)).scalar_one()
        number, sku = part.part_number, part.sku
    dispatcher, remembered = await search({"part_number": number.replace("-", " ")}, domain)
    assert sku in remembered["latest"]
    [message] = dispatcher.messages
    assert message["response"] == "utter_results_for_number"
    assert message["part_number"] == number.replace("-", " ")


async def test_whatsapp_list_for_a_part_number_names_the_number(runtime, domain):
    dispatcher, remembered = await search({"part_number": "04465-60320"}, domain)
    assert len(remembered["latest"]) > 3, "the sample has several pads with this OEM number"
    [message] = dispatcher.messages
    body = message["custom"]["whatsapp"]["body"]["text"]
    assert "04465-60320" in body and " - " not in body and "– -" not in body


async def test_pick_by_tap_stores_a_lead_and_confirms(runtime, domain):
    _, remembered = await search(LC_2015, domain, sender="971500000010")
    sku = remembered["latest"][0]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        f'/choose_part{{"sku":"{sku}"}}', intent="choose_part", entities=[{"entity": "sku", "value": sku}],
        slots={**LC_2015, "search_results": remembered}, sender="971500000010",
        metadata={"customer_name": "Ahmed"}, active_loop=None,
    )  # fmt: skip
    await ActionChoosePart().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_choice_confirmed", "utter_anything_else"]
    [lead] = leads(runtime, channel_user_id="971500000010")
    assert (lead.kind, lead.status, lead.sku, lead.customer_name) == ("quote", "new", sku, "Ahmed")
    assert (lead.make, lead.model, lead.year, lead.part_query) == (
        "Toyota",
        "Land Cruiser",
        2015,
        "Brake Pads",
    )
    assert lead.conversation_id == "971500000010"
    assert str(lead.price_aed) == remembered["items"][sku]["price_aed"]
    assert dispatcher.messages[0]["lead_id"] == lead.id


async def test_pick_by_number_and_unclear_pick(runtime, domain):
    _, remembered = await search(LC_2015, domain, sender="971500000011")
    assert len(remembered["latest"]) >= 2
    base = {**LC_2015, "search_results": remembered}
    dispatcher = CollectingDispatcher()
    unclear = make_tracker(
        "ok I'll take it", intent="choose_part", slots=base, sender="971500000011", active_loop=None
    )
    await ActionChoosePart().run(dispatcher, unclear, domain)
    [which] = dispatcher.messages  # several shown: "which one?" with the items to tap, no lead yet
    assert which["response"] == "utter_which_item"
    tappable = [b["payload"] for b in which.get("buttons") or []] or [
        row["id"] for row in which["custom"]["whatsapp"]["action"]["sections"][0]["rows"]
    ]
    assert len(tappable) == len(remembered["latest"]) and all(p.startswith("/choose_part") for p in tappable)
    assert leads(runtime, channel_user_id="971500000011") == []
    if len(remembered["latest"]) >= 2:
        second = make_tracker(
            "الثاني", intent="choose_part", slots=base, sender="971500000011", active_loop=None
        )
        await ActionChoosePart().run(CollectingDispatcher(), second, domain)
        [lead] = leads(runtime, channel_user_id="971500000011")
        assert lead.sku == remembered["latest"][1]


async def test_order_with_one_item_shown_is_a_lead_for_it(runtime, domain):
    _, remembered = await search(LC_2015, domain, sender="971500000019")
    only = remembered["latest"][0]
    one = {"latest": [only], "items": {only: remembered["items"][only]}}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("تمام ارسله", intent="choose_part", slots={**LC_2015, "search_results": one},
                           sender="971500000019", active_loop=None)  # fmt: skip
    await ActionChoosePart().run(dispatcher, tracker, domain)
    assert responses(dispatcher) == ["utter_choice_confirmed", "utter_anything_else"]
    [lead] = leads(runtime, channel_user_id="971500000019")
    assert lead.sku == only


async def test_pick_with_nothing_shown(runtime, domain):
    dispatcher = CollectingDispatcher()
    await ActionChoosePart().run(
        dispatcher, make_tracker("2", intent="choose_part", active_loop=None), domain
    )
    assert responses(dispatcher) == ["utter_nothing_to_choose"]


async def test_handoff_marks_the_customer_and_pauses(runtime, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ابي اكلم موظف", intent="human_handoff", slots={**LC_2015, "language": "ar"},
                           sender="971500000020", active_loop=None)  # fmt: skip
    events = await ActionHandoff().run(dispatcher, tracker, domain)
    assert [e["event"] for e in events] == ["pause"]
    assert responses(dispatcher) == ["utter_handoff"]
    [lead] = leads(runtime, channel_user_id="971500000020")
    assert (lead.kind, lead.status, lead.model) == ("handoff", "new", "Land Cruiser")
    with session_scope(runtime.session_factory) as session:
        customer = session.execute(
            select(Customer).where(Customer.channel_user_id == "971500000020")
        ).scalar_one()
        assert customer.handoff_active is True


async def test_database_down_keeps_the_request_and_answers_politely(broken_runtime, runtime_factory, domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("x", slots=LC_2015, sender="971500000030", active_loop=None)
    events = await ActionSearchParts().run(dispatcher, tracker, domain)
    assert events == []
    assert responses(dispatcher) == ["utter_catalog_down"]
    pending = broken_runtime.spool.pending()
    assert len(pending) == 1 and pending[0]["draft"]["model"] == "Land Cruiser"
    assert pending[0]["draft"]["details"]["reason"] == "catalog down"
    # the database is back: the spooled lead is written, nothing is lost
    good = runtime_factory()
    written, still = flush_spool(good.session_factory, broken_runtime.spool)
    assert (written, still) == (1, 0)
    with session_scope(good.session_factory) as session:
        [lead] = session.execute(select(Lead).where(Lead.channel_user_id == "971500000030")).scalars()
        assert (lead.status, lead.part_query) == ("new", "Brake Pads")


async def test_store_info_answers_the_topic_in_the_customers_language(runtime, domain):
    dispatcher = CollectingDispatcher()
    question = make_tracker("do you deliver to sharjah?", intent="ask_store_info", active_loop=None)
    await ActionStoreInfo().run(dispatcher, question, domain)
    [message] = dispatcher.messages
    assert "Sharjah" in message["info"] and "🕘" not in message["info"]
    dispatcher = CollectingDispatcher()
    arabic = make_tracker("وين المحل؟", intent="ask_store_info", slots={"language": "ar"}, active_loop=None)
    await ActionStoreInfo().run(dispatcher, arabic, domain)
    assert "القوز" in dispatcher.messages[0]["info"]


async def test_typed_number_during_the_form_is_not_a_pick(runtime, domain):
    _, remembered = await search(LC_2015, domain, sender="971500000012")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("2", intent="choose_part", slots={**LC_2015, "search_results": remembered},
                           sender="971500000012", active_loop="part_form")  # fmt: skip
    assert await ActionChoosePart().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []
    assert leads(runtime, channel_user_id="971500000012") == []


async def test_results_link_the_shops_website_when_configured(runtime, domain):
    from dataclasses import replace

    runtime.settings = replace(runtime.settings, part_url_template="https://carpartsdubai.example/p/{sku}")
    dispatcher, remembered = await search(LC_2015, domain)
    [message] = dispatcher.messages
    for sku in remembered["latest"]:
        assert f"https://carpartsdubai.example/p/{sku}" in message["items"]
    interactive = message.get("custom", {}).get("whatsapp")
    if interactive:  # more than 3 results: a WhatsApp list, one row per result
        rows = interactive["action"]["sections"][0]["rows"]
        assert [r["description"].rsplit("/p/", 1)[1] for r in rows] == remembered["latest"]
