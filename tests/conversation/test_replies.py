"""Short messages read on their own: yes, no, restart, order, filler."""

from __future__ import annotations

import pytest

from conversation.replies import asks_to_order, asks_to_restart, is_filler, yes_or_no
from rasa_components.intent_rules import intent_for


@pytest.mark.parametrize(
    "text",
    [
        "yep",
        "yup",
        "aywa",
        "اي نعم",
        "تمام",
        "اوكي",
        "ok sure",
        "Yes please",
        "ايوه",
        "okey",
        "yes same car",
        "tmm",
    ],
)
def test_yes(text):
    assert yes_or_no(text) == "yes"


@pytest.mark.parametrize("text", ["la2", "مب", "nope", "no thanks", "لا", "لا مشكور", "nah", "laa", "no no"])
def test_no(text):
    assert yes_or_no(text) == "no"


@pytest.mark.parametrize("text", ["no, 2016", "yes brake pads", "not corolla", "need oil filter", "toyota"])
def test_details_are_not_a_yes_or_no(text):
    assert yes_or_no(text) is None


@pytest.mark.parametrize(
    "text", ["start over", "ابدأ من جديد", "from the beginning pls", "new search", "امسح كل شي"]
)
def test_explicit_restart(text):
    assert asks_to_restart(text)


@pytest.mark.parametrize("text", ["no", "forget the pads", "i mean camry", "cancel", "new", "another part"])
def test_no_restart_without_the_words(text):
    assert not asks_to_restart(text)


@pytest.mark.parametrize(
    "text",
    [
        "ok I want this one",
        "how do I buy",
        "send it",
        "تمام ارسله",
        "ابغاه",
        "kam el se3r w ab8ah",
        "ill take it",
    ],
)
def test_orders(text):
    assert asks_to_order(text)


@pytest.mark.parametrize("text", ["i want brake pads", "ابغى فحمات", "abgha fa7mat", "send me the address"])
def test_requests_are_not_orders(text):
    assert not asks_to_order(text)


@pytest.mark.parametrize(
    "text", ["I mean", "model", "the", "بس", "يعني", "مو", "ya3ni", "modeel", "ya3ni the model"]
)
def test_fillers(text):
    assert is_filler(text)


@pytest.mark.parametrize("text", ["camry", "brake pads", "فحمات", "2016"])
def test_values_are_not_fillers(text):
    assert not is_filler(text)


def test_intent_rules():
    assert intent_for("hi my vin is JTMHV05J504123456", "greet", set(), []) == "inform"
    assert intent_for("where are you? vin JTMHV05J504123456", "ask_store_info", set(), []) is None
    assert intent_for("ابدأ من جديد", "inform", set(), []) == "restart"
    assert intent_for("forget it", "restart", set(), ["restart", "deny", "inform"]) == "deny"
    assert intent_for("ok I want this one", "request_part", set(), []) == "choose_part"
    assert intent_for("i want to order brake pads", "request_part", {"part"}, []) is None
    assert intent_for("aywa", "greet", set(), []) == "affirm"
    assert intent_for("la2", "goodbye", set(), []) == "deny"
    assert intent_for("need pads for camry", "request_part", {"part", "model"}, []) is None


def test_unclear_messages_go_to_the_fallback_unless_they_name_a_part_or_car():
    assert intent_for("it makes a noise when i turn", "unclear", set(), ["unclear", "ask_store_info"]) == (
        "nlu_fallback"
    )
    ranking = ["unclear", "nlu_fallback", "request_part", "inform"]
    assert intent_for("my brakes make a noise", "unclear", {"part"}, ranking) == "request_part"
    assert intent_for("aywa", "unclear", set(), ranking) == "affirm"  # a short answer stays an answer


@pytest.mark.parametrize("text", ["I mean", "يعني", "ya3ni the", "model", "umm sorry"])
def test_a_filler_alone_is_never_an_order(text):
    assert intent_for(text, "choose_part", set(), ["choose_part", "inform"]) == "nlu_fallback"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("hi there", "greet"), ("no it's fine", "deny"), ("need a part for my car", "request_part")],
)
def test_stopwords_are_not_fillers_for_the_intent(text, intent):
    assert intent_for(text, intent, set(), [intent]) is None


@pytest.mark.parametrize(
    "text",
    ["I don't want it anymore", "cancel my order", "ما ابيه", "la ma abgha", "الغي الطلب", "forget it"],
)
def test_a_refusal_is_a_no_never_an_order_or_a_deletion(text):
    assert intent_for(text, "choose_part", set(), ["choose_part"]) == "deny"
    assert intent_for(text, "request_data_deletion", set(), ["request_data_deletion"]) == "deny"


def test_a_refusal_the_model_read_as_restart_is_a_no():
    assert intent_for("cancel it", "restart", set(), ["restart", "choose_part"]) == "deny"
    assert intent_for("الغي الطلب", "restart", set(), ["restart", "request_data_deletion"]) == "deny"


def test_a_refusal_that_picks_another_item_stays_a_pick_and_deletion_stays_deletion():
    assert intent_for("not this one, the second", "choose_part", set(), []) is None
    assert intent_for("cancel, I want number 2", "choose_part", set(), []) is None
    assert intent_for("i don't want used, i want the genuine one", "choose_part", set(), []) is None
    assert intent_for("dont want this one give me the denso", "choose_part", set(), []) is None
    assert intent_for("لا ما ابي هذا ابي الثاني", "choose_part", set(), []) == "choose_part"
    assert intent_for("delete my data", "request_data_deletion", set(), []) is None
    assert intent_for("I don't want pads, I need an oil filter", "inform", {"part"}, []) is None


@pytest.mark.parametrize(
    "text", ["delete the brake pads from my order", "امسح الطلب", "can you remove it from the list"]
)
def test_a_deletion_of_something_else_is_not_a_data_deletion(text):
    assert intent_for(text, "request_data_deletion", set(), ["request_data_deletion"]) == "deny"


@pytest.mark.parametrize(
    "text", ["delete my data", "forget me", "احذف رقمي", "imsa7 bayanati", "wipe my chat history"]
)
def test_a_request_about_own_data_stays_a_data_deletion(text):
    assert intent_for(text, "request_data_deletion", set(), ["request_data_deletion"]) is None
    cancel = f"cancel my account and {text}"
    assert intent_for(cancel, "request_data_deletion", set(), ["request_data_deletion"]) is None


@pytest.mark.parametrize("text", ["2", "No. 2", "#3", "٢", "رقم ٣", "raqam 3", "number 2 please", "2️⃣"])
def test_a_row_number_is_a_pick_even_when_the_model_reads_a_year(text):
    """A lone "2" after a list came back as inform with year 2: the customer got the list again."""
    assert intent_for(text, "inform", {"year"}, ["inform", "choose_part"]) == "choose_part"


@pytest.mark.parametrize("text", ["2015", "15", "2 برادو", "need 2 pads", "0", "2 3"])
def test_years_and_quantities_are_not_row_numbers(text):
    assert intent_for(text, "inform", {"year"}, ["inform", "choose_part"]) != "choose_part"


def test_a_row_number_keeps_no_year_entity():
    from rasa.shared.nlu.training_data.message import Message

    from rasa_components.intent_rules import IntentRules

    message = Message.build(text="2")
    message.set("intent", {"name": "inform", "confidence": 0.93})
    message.set("entities", [{"entity": "year", "value": "2", "start": 0, "end": 1}])
    [out] = IntentRules({}).process([message])
    assert out.get("intent")["name"] == "choose_part"
    assert out.get("entities") == []


@pytest.mark.parametrize("guess", ["deny", "choose_part", "affirm"])
def test_a_refusal_holding_i_want_it_stays_a_no_whatever_the_model_guessed(guess):
    """ "لا خلاص ما ابيه" has "ابيه" (I want it) in it: a model that rightly said deny was overruled."""
    assert intent_for("لا خلاص ما ابيه", guess, set(), ["deny", "choose_part"]) == "deny"
