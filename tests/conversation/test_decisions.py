"""Decisions on state: picks and orders, good slot values kept, takes-back, chassis problems."""

from __future__ import annotations

from catalog.vehicle_ids import decode
from conversation.choice import decide_pick
from conversation.items import ShownItem
from conversation.slots import keep_good_values
from conversation.vehicle_problems import problem_response


def shown(*skus: str) -> dict:
    items = {
        sku: ShownItem(sku=sku, part_id=i, name=f"Pads {sku}", brand=f"Brand{i}", part_number=f"N-{i}",
                       price_aed=f"{100 + i}.00", stock=1, condition="oem").as_dict()
        for i, sku in enumerate(skus)
    }  # fmt: skip
    return {"latest": list(skus), "items": items}


def test_order_with_one_item_is_that_item():
    pick = decide_pick("ok I want this one", None, shown("A"))
    assert pick.item is not None and pick.item.sku == "A" and not pick.ask_which


def test_order_with_several_asks_which():
    pick = decide_pick("ابغاه", None, shown("A", "B", "C"))
    assert pick.item is None and pick.ask_which and [i.sku for i in pick.options] == ["A", "B", "C"]


def test_a_named_pick_wins():
    assert decide_pick("the second one", None, shown("A", "B")).item.sku == "B"
    assert decide_pick("/choose_part", "B", shown("A", "B")).item.sku == "B"
    assert decide_pick("the cheapest", None, shown("A", "B")).item.sku == "A"


def test_nothing_shown_nothing_to_pick():
    assert decide_pick("i'll take it", None, None).item is None
    assert not decide_pick("i'll take it", None, None).ask_which


def test_unknown_words_never_replace_good_values():
    def resolves(slot, value):
        return value in {"Camry", "Toyota", "Brake Pads", "2016"}

    previous = {"part": "Brake Pads", "make": "Toyota", "model": "Corolla", "year": "2016"}
    assert keep_good_values({"model": "modeel", "part": "the"}, previous, None, resolves) == {}
    assert keep_good_values({"model": "Camry"}, previous, None, resolves) == {"model": "Camry"}
    # the slot the bot asked for is always checked (and explained when unknown)
    assert keep_good_values({"model": "corvetta"}, previous, "model", resolves) == {"model": "corvetta"}
    # an empty slot takes the candidate for checking
    assert keep_good_values({"part": "turbo"}, {}, None, resolves) == {"part": "turbo"}


def test_chassis_problems_pick_a_response_and_its_values():
    response, values = problem_response(decode("JTMHV05J5041234"))
    assert response == "utter_vin_problem_length" and values["count"] == "15"
    assert problem_response(decode("JTMHV05J504123456")) is None


# ------------------------------------------------------------------ pending yes/no questions
def test_yes_to_the_chassis_question_reads_the_number_as_typed():
    from conversation.pending import answer_pending

    decision = answer_pending("yes", "JTMHV05J604123456", has_offer=True)  # the chassis question wins
    assert decision.read_number == "JTMHV05J604123456" and not decision.take_offer


def test_no_to_the_chassis_question_is_acknowledged_and_nothing_is_read():
    from conversation.pending import answer_pending

    decision = answer_pending("no", "JTMHV05J604123456", has_offer=False)
    assert decision.declined_number and decision.read_number is None


def test_the_offer_of_the_last_car_is_taken_only_on_yes():
    from conversation.pending import answer_pending

    assert answer_pending("yes", None, has_offer=True).take_offer
    assert not answer_pending("no", None, has_offer=True).take_offer
    assert answer_pending(None, None, has_offer=True) is None  # not an answer: the question stays
    assert answer_pending("yes", None, has_offer=False) is None  # nothing was asked


def test_an_invalid_chassis_number_is_explained_once_then_the_form_asks_for_the_car():
    from conversation.pending import next_vin_step

    first = next_vin_step(number_valid=False, retry=None, gave_other_details=False)
    assert (first.retry, first.say) == ("retry", "explain")
    second = next_vin_step(number_valid=False, retry=first.retry, gave_other_details=False)
    assert (second.retry, second.say) == ("gave_up", "give_up")
    good = next_vin_step(number_valid=True, retry=first.retry, gave_other_details=True)
    assert (good.retry, good.say, good.changed) == (None, None, True)
    moved_on = next_vin_step(number_valid=None, retry="retry", gave_other_details=True)
    assert moved_on.retry is None and moved_on.changed
    silent = next_vin_step(number_valid=None, retry="retry", gave_other_details=False)
    assert not silent.changed  # "ok" alone keeps the retry pending
