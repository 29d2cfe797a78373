"""Photos and voice notes in the conversation (issue 7), and what a WhatsApp customer reads.

The media pipeline (media/) turns a registration-card photo into ``/chassis_photo{"vin": ...}``
or ``/chassis_photo{"frame_number": ...}`` and a voice note into its transcript; these tests
drive the actions with exactly those messages on real trackers and the real sample catalog.
"""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.asking import AskMake, AskPart
from actions.choice import ActionChoosePart
from actions.forms import ValidatePartForm
from actions.runtime import build_runtime, set_runtime
from actions.search import ActionSearchParts
from actions.settings import AssistantSettings
from catalog.schema import Lead
from catalog.settings import Settings
from shopkernel.db import session_scope
from tests.assistant.conftest import bot_event, make_tracker, responses, slot_events

VIN = "JTMHV05J504123456"
LC_2015 = {"part": "Brake Pads", "make": "Toyota", "model": "Land Cruiser", "year": "2015"}


def photo(number: str, kind: str = "vin", **kwargs):
    return make_tracker(f'/chassis_photo{{"{kind}": "{number}"}}', intent="chassis_photo",
                        entities=[{"entity": kind, "value": number}], **kwargs)  # fmt: skip


async def form(tracker, domain):
    dispatcher = CollectingDispatcher()
    return dispatcher, slot_events(await ValidatePartForm().run(dispatcher, tracker, domain))


async def ask(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker, domain)
    return dispatcher.messages


async def test_photo_at_the_start_is_confirmed_before_anything_is_filled(runtime, domain):
    dispatcher, slots = await form(photo(VIN, active_loop=None), domain)
    assert dispatcher.messages == []
    assert slots == {"chassis_pending": VIN, "vehicle_offer": None, "requested_slot": "make"}
    # the form's next question is the confirmation, even though no part is known yet
    [question] = await ask(AskMake(), make_tracker("/chassis_photo", slots={"chassis_pending": VIN}), domain)
    assert question["response"] == "utter_confirm_chassis"
    assert (question["number"], question["vehicle"]) == (VIN, "Toyota")


async def test_yes_fills_the_car_exactly_as_a_typed_vin_would(runtime, domain):
    typed, typed_slots = await form(make_tracker(VIN, slots={"requested_slot": "make"}), domain)
    for answer, intent in (("yes", "affirm"), ("/affirm", "affirm"), ("ايوه", "affirm")):
        tracker = make_tracker(
            answer, intent=intent, slots={"chassis_pending": VIN, "requested_slot": "make"}
        )
        confirmed, slots = await form(tracker, domain)
        assert slots["chassis_pending"] is None, answer
        assert {k: slots[k] for k in ("make", "vin")} == {k: typed_slots[k] for k in ("make", "vin")}
        assert responses(confirmed) == responses(typed) == ["utter_vin_read"]


async def test_no_asks_to_type_the_number_or_the_car_once(runtime, domain):
    tracker = make_tracker("no", intent="deny", slots={"part": "Radiator", "chassis_pending": VIN,
                                                       "requested_slot": "make"})  # fmt: skip
    dispatcher, slots = await form(tracker, domain)
    assert responses(dispatcher) == ["utter_chassis_declined"]
    assert slots["chassis_pending"] is None and "make" not in slots and "vin" not in slots
    after = make_tracker("no", intent="deny", slots={"part": "Radiator"},
                         events_after=[bot_event("utter_chassis_declined")])  # fmt: skip
    assert await ask(AskMake(), after, domain) == []  # the decline already asked: no second question


async def test_photo_mid_form_with_a_frame_number(runtime, domain):
    base = {"part": "Radiator", "requested_slot": "make"}
    _, slots = await form(photo("GRJ200-1234567", kind="frame_number", slots=base), domain)
    assert slots["chassis_pending"] == "GRJ200-1234567" and "make" not in slots
    [question] = await ask(
        AskMake(), make_tracker("x", slots={**base, "chassis_pending": "GRJ200-1234567"}), domain
    )
    assert question["vehicle"] == "Toyota Land Cruiser"
    yes = make_tracker("yes", intent="affirm", slots={**base, "chassis_pending": "GRJ200-1234567"})
    _, slots = await form(yes, domain)
    assert (slots["make"], slots["model"], slots["frame_number"]) == (
        "Toyota",
        "Land Cruiser",
        "GRJ200-1234567",
    )


async def test_photo_after_the_results_is_confirmed_before_searching_again(runtime, domain):
    _, slots = await form(photo(VIN, slots=LC_2015, active_loop=None), domain)
    assert slots["requested_slot"] == "make"  # keeps the form open: no search before the "yes"


async def test_confirmation_in_arabic(runtime, domain):
    tracker = make_tracker("x", slots={"chassis_pending": VIN, "language": "ar"})
    [question] = await ask(AskMake(), tracker, domain)
    assert question["number"] == VIN and question["vehicle"] == "تويوتا"


async def test_a_typed_car_instead_of_yes_or_no_replaces_the_pending_number(runtime, domain):
    tracker = make_tracker("it's a nissan patrol", slots={"chassis_pending": VIN, "requested_slot": "make"})
    _, slots = await form(tracker, domain)
    assert (slots["make"], slots["model"], slots["chassis_pending"]) == ("Nissan", "Patrol", None)
    assert slots.get("vin") is None


async def test_store_question_leaves_the_confirmation_pending(runtime, domain):
    tracker = make_tracker("where is your shop", intent="ask_store_info",
                           slots={"chassis_pending": VIN, "requested_slot": "make"})  # fmt: skip
    _, slots = await form(tracker, domain)
    assert "chassis_pending" not in slots  # the form rejects it; the store rule answers, then asks again


async def test_photo_without_a_number_gets_the_tips_and_no_second_question(runtime, domain):
    empty = make_tracker("/chassis_photo", intent="chassis_photo", slots={"part": "Radiator"})
    dispatcher, _ = await form(empty, domain)
    assert responses(dispatcher) == ["utter_photo_tips"]
    after = make_tracker("/unreadable_photo", intent="unreadable_photo", slots={"part": "Radiator"},
                         events_after=[bot_event("utter_photo_tips")])  # fmt: skip
    assert await ask(AskMake(), after, domain) == []
    assert await ask(AskPart(), after, domain) == []
    unreadable = make_tracker(
        "/unreadable_photo", intent="unreadable_photo", slots={"requested_slot": "make"}
    )
    _, slots = await form(unreadable, domain)
    assert slots == {}  # rejected by the form: the unreadable_photo rule sends the tips


async def test_voice_note_transcript_reads_like_typed_text_and_the_lead_keeps_the_media_id(runtime, domain):
    voice = {"media": {"kind": "audio", "id": "wamid-media-77", "voice": True}, "channel": "whatsapp"}
    transcript = "i need brake pads for my toyota land cruiser 2015"
    tracker = make_tracker(transcript, intent="request_part", metadata=voice, sender="971501000020")
    _, slots = await form(tracker, domain)
    assert (slots["part"], slots["make"], slots["model"], slots["year"]) == (
        "Brake Pads", "Toyota", "Land Cruiser", "2015",
    )  # fmt: skip
    searched = make_tracker(
        transcript, slots=LC_2015, sender="971501000020", active_loop=None, metadata=voice
    )
    search_events = await ActionSearchParts().run(CollectingDispatcher(), searched, domain)
    remembered = slot_events(search_events)["search_results"]
    shown = {**LC_2015, "search_results": remembered}
    pick = make_tracker("the first one", intent="choose_part", slots=shown, sender="971501000020",
                        active_loop=None, metadata=voice)  # fmt: skip
    await ActionChoosePart().run(CollectingDispatcher(), pick, domain)
    with session_scope(runtime.session_factory) as session:
        [lead] = session.execute(select(Lead).where(Lead.channel_user_id == "971501000020")).scalars()
        assert lead.details["voice_note_media_id"] == "wamid-media-77"
        assert lead.details["last_message"] == "the first one"


# --------------------------------------------------------------------------- WhatsApp: one answer, not two
async def _search(domain, channel: str, part: str = "Brake Pads"):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("lc 2015", slots={**LC_2015, "part": part}, sender="971501000030",
                           active_loop=None, input_channel=channel)  # fmt: skip
    await ActionSearchParts().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    return message


async def test_whatsapp_list_comes_with_a_header_line_not_a_second_copy(runtime, domain):
    rest = await _search(domain, "rest")
    whatsapp = await _search(domain, "whatsapp")
    rows = whatsapp["custom"]["whatsapp"]["action"]["sections"][0]["rows"]
    assert len(rows) > 3  # the sample catalog has enough Land Cruiser pads for a list
    assert whatsapp["response"] == "utter_results_header"
    assert (whatsapp["part_label"], whatsapp["vehicle"]) == ("Brake Pads", "Toyota Land Cruiser 2015")
    header = domain["responses"]["utter_results_header"][0]["text"]
    assert "{items}" not in header and "\n" not in header
    # REST (and any channel that ignores custom payloads) still gets every item as text
    assert rest["response"] == "utter_results" and rest["items"].count("AED") == len(rows)
    assert rest["custom"] == whatsapp["custom"]


async def test_whatsapp_with_three_items_or_fewer_keeps_the_lines_as_the_button_message(
    catalog_url, tmp_path, domain
):
    settings = AssistantSettings(catalog=Settings(database_url=catalog_url), spool_path=tmp_path / "s.jsonl",
                                 results_shown=3)  # fmt: skip
    set_runtime(build_runtime(settings))
    try:
        message = await _search(domain, "whatsapp")
    finally:
        set_runtime(None)
    # one WhatsApp message: the full lines are the body of the reply buttons
    assert message["response"] == "utter_results" and not message["custom"]
    assert message["items"].count("AED") == len(message["buttons"]) == 3
