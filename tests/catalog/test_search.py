"""Part search on SQLite and PostgreSQL: what a customer asking for a part would get back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, select

from catalog.search import PartQuery, SearchError, find_by_number, search_parts


def skus(hits):
    return [h.sku for h in hits]


def test_brake_pads_for_land_cruiser_in_stock_first_then_price(session, vocab):
    hits = search_parts(
        session, PartQuery(make="Toyota", model="Land Cruiser", year=2015, part="brake pads"), vocab
    )
    # all fit exactly: in stock cheapest first (used 150, Advics 300, rear 350, genuine 420),
    # out of stock last
    assert skus(hits) == ["BP-5", "BP-2", "BP-4", "BP-1", "BP-3"]
    assert [h.price_aed for h in hits[:4]] == sorted(h.price_aed for h in hits[:4])
    assert hits[-1].stock == 0


def test_exact_fitment_ranks_before_an_engine_specific_fitment(session, vocab):
    """The cheapest pad, in stock, fits only the diesel Land Cruiser: it comes after the pads that
    fit the customer's Land Cruiser whatever its engine."""
    from catalog.schema import Category, Fitment, Make, Model, Part

    toyota = session.execute(select(Make).where(Make.name == "Toyota")).scalar_one()
    lc = session.execute(select(Model).where(Model.name == "Land Cruiser")).scalar_one()
    pads = session.execute(select(Category).where(Category.name == "Brake Pads")).scalar_one()
    part = Part(sku="BP-D", name="Front Brake Pads - Land Cruiser 1VD diesel", category_id=pads.id,
                brand="Nisshinbo", part_number="PF-1515", part_number_norm="PF1515",
                price_aed=Decimal("99.00"), stock=9, condition="aftermarket")  # fmt: skip
    diesel = Fitment(make_id=toyota.id, model_id=lc.id, year_from=2008, year_to=2021, engine="1VD-FTV")
    part.fitments = [diesel]
    session.add(part)
    session.flush()
    hits = search_parts(session, PartQuery(model="Land Cruiser", year=2015, part="brake pads"), vocab)
    # exact fitment first, even before stock: the out-of-stock exact BP-3 precedes the diesel-only pad
    assert skus(hits) == ["BP-5", "BP-2", "BP-4", "BP-1", "BP-3", "BP-D"]
    assert "(1VD-FTV)" in hits[-1].fitment


def test_hit_names_the_fitment_of_the_customers_car_not_the_car_in_its_name(session, vocab):
    hits = search_parts(session, PartQuery(make="Lexus", model="LX570", year=2012, part="brake pads"), vocab)
    [hit] = hits
    assert hit.name == "Front Brake Pads - Toyota Land Cruiser LC200 2008-2021"
    assert (hit.fits, hit.short_name) == ("Lexus LX570 2008-2021", "Front Brake Pads")


def test_make_only_search_names_that_makes_fitment_first(session, vocab):
    """A customer who gives only the make still sees which of the part's cars is theirs."""
    [hit] = search_parts(session, PartQuery(make="lexus", year=2012, part="brake pads"), vocab)
    assert hit.fits == "Lexus LX570 2008-2021"
    assert hit.fitment == "Lexus LX570 2008-2021, Toyota Land Cruiser 2008-2021"


def test_number_search_names_no_fitment(session):
    [hit, *_] = find_by_number(session, "04465-60320")
    assert hit.fits == "" and hit.short_name == "Front Brake Pads"


def test_front_in_the_request_prefers_front_pads(session, vocab):
    hits = search_parts(session, PartQuery(model="land cruiser", year=2015, part="front brake pads"), vocab)
    # in stock first; among them front pads (cheapest first) before the rear ones
    assert skus(hits) == ["BP-5", "BP-2", "BP-1", "BP-4", "BP-3"]


@pytest.mark.parametrize(
    ("model", "part"),
    [
        ("لاندكروزر", "فحمات"),
        ("landcrusier", "fa7mat"),
        ("LC200", "brake pds"),
        ("للاندكروزر", "فحمات فرامل"),
    ],
)
def test_arabic_arabizi_and_typos_find_the_same_parts(session, vocab, model, part):
    hits = search_parts(session, PartQuery(model=model, year=2015, part=part), vocab)
    assert set(skus(hits)) == {"BP-1", "BP-2", "BP-3", "BP-4", "BP-5"}


def test_hit_carries_what_the_reply_needs(session, vocab):
    hit = search_parts(session, PartQuery(model="Land Cruiser", year=2015, part="Brake Pads"), vocab)[3]
    assert hit.sku == "BP-1"
    assert hit.part_number == "04465-60320"
    assert hit.oem_numbers == ("04465-60320", "04465-60280")
    assert hit.price_aed == Decimal("420.00")
    assert (hit.brand, hit.condition, hit.stock, hit.category) == (
        "Toyota Genuine",
        "genuine",
        12,
        "Brake Pads",
    )
    assert hit.fitment == "Toyota Land Cruiser 2008-2021, Lexus LX570 2008-2021"
    assert hit.fits == "Toyota Land Cruiser 2008-2021"


def test_fitment_text_names_the_asked_vehicle_first(session, vocab):
    hits = search_parts(session, PartQuery(make="Lexus", model="LX570", year=2012, part="brake pads"), vocab)
    assert skus(hits) == ["BP-1"]
    assert hits[0].fitment.startswith("Lexus LX570 2008-2021")


@pytest.mark.parametrize(
    ("model", "year", "part"),
    [
        ("Land Cruiser", 1995, "brake pads"),
        ("Land Cruiser", 2024, "brake pads"),
        ("Patrol", 2005, "brake pads"),
    ],
)
def test_wrong_year_returns_nothing_for_that_model(session, vocab, model, year, part):
    assert search_parts(session, PartQuery(model=model, year=year, part=part), vocab) == []


def test_year_selects_the_right_generation(session, vocab):
    old = search_parts(session, PartQuery(model="Patrol", year=2005, part="fuel pump"), vocab)
    assert skus(old) == ["FP-1"]
    assert search_parts(session, PartQuery(model="Patrol", year=2018, part="fuel pump"), vocab) == []


def test_model_alone_lists_only_that_models_parts(session, vocab):
    hits = search_parts(session, PartQuery(model="prado"), vocab)
    assert set(skus(hits)) == {"BP-8", "SA-1"}


def test_make_alone_filters_by_make(session, vocab):
    hits = search_parts(session, PartQuery(make="lexus", part="brake pads"), vocab)
    assert skus(hits) == ["BP-1"]
    assert {h.sku for h in search_parts(session, PartQuery(make="Lexus"), vocab)} == {"BP-1", "OF-1", "SP-1"}


def test_part_without_vehicle_searches_the_category(session, vocab):
    hits = search_parts(session, PartQuery(part="spark plugs"), vocab)
    assert skus(hits) == ["SP-1"]


def test_umbrella_word_searches_all_its_categories(session, vocab):
    hits = search_parts(session, PartQuery(model="Land Cruiser", year=2015, part="filter"), vocab)
    assert {h.category for h in hits} == {"Oil Filter", "Cabin Filter"}


def test_free_text_when_no_category_matches(session, vocab):
    hits = search_parts(session, PartQuery(model="patrol", year=2015, part="side step"), vocab)
    assert skus(hits) == ["ACC-1"]
    assert search_parts(session, PartQuery(model="patrol", part="flux capacitor"), vocab) == []


def test_model_the_shop_does_not_carry_gives_nothing(session, vocab):
    assert search_parts(session, PartQuery(model="Pajero", part="brake pads"), vocab) == []
    assert search_parts(session, PartQuery(make="Ferrari", part="brake pads"), vocab) == []


def test_condition_filter(session, vocab):
    hits = search_parts(
        session, PartQuery(model="Land Cruiser", part="brake pads", condition="genuine"), vocab
    )
    assert {h.condition for h in hits} == {"genuine"} and len(hits) == 2


def test_limit(session, vocab):
    hits = search_parts(session, PartQuery(model="Land Cruiser", part="brake pads", limit=2), vocab)
    assert skus(hits) == ["BP-5", "BP-2"]


@pytest.mark.parametrize(
    "number", ["04465-60320", "0446560320", "04465 60320", " 04465.60320 ", "٠٤٤٦٥-٦٠٣٢٠", "04465/60320"]
)
def test_part_number_in_any_format(session, number):
    hits = find_by_number(session, number)
    # own number first, then the cross-referenced aftermarket/OEM pads, out of stock last
    assert skus(hits) == ["BP-1", "BP-2", "BP-3"]


def test_number_found_through_oem_cross_reference(session):
    assert skus(find_by_number(session, "87139-50060")) == ["CF-1"]  # Denso part, Toyota number


def test_lowercase_and_letters(session):
    assert skus(find_by_number(session, "90915-yzzd1")) == ["OF-3"]
    assert skus(find_by_number(session, "d1060 1lb0a")) == ["BP-6"]


def test_prefix_of_six_or_more_characters(session):
    assert set(skus(find_by_number(session, "04465-603"))) == {"BP-1", "BP-2", "BP-3", "BP-8"}
    assert find_by_number(session, "0446") == []  # too short for a prefix search


def test_unknown_number_gives_nothing(session):
    assert find_by_number(session, "99999-99999") == []


def test_search_uses_the_number_first(session, vocab):
    hits = search_parts(session, PartQuery(model="Patrol", part_number="04465 60320"), vocab)
    assert skus(hits) == ["BP-1", "BP-2", "BP-3"]
    pasted = search_parts(session, PartQuery(part="04465 60320"), vocab)
    assert skus(pasted) == ["BP-1", "BP-2", "BP-3"]


def test_unknown_number_falls_back_to_the_part_text(session, vocab):
    query = PartQuery(model="Land Cruiser", year=2015, part="oil filter", part_number="00000-00000")
    assert skus(search_parts(session, query, vocab)) == ["OF-2", "OF-1"]  # both in stock: cheaper first
    assert search_parts(session, PartQuery(part_number="00000-00000"), vocab) == []


def test_oil_filter_ranking_cheaper_first_when_both_fit_and_are_in_stock(session, vocab):
    hits = search_parts(session, PartQuery(model="Land Cruiser", year=2015, part="oil filter"), vocab)
    assert skus(hits) == ["OF-2", "OF-1"]


def test_bad_input_is_refused_clearly(session):
    with pytest.raises(SearchError, match="limit"):
        PartQuery(part="pads", limit=0)
    with pytest.raises(SearchError, match="year"):
        PartQuery(part="pads", year=3015)
    with pytest.raises(SearchError, match="condition"):
        PartQuery(part="pads", condition="new")
    with pytest.raises(SearchError, match="empty"):
        find_by_number(session, " - ")


def test_empty_query_returns_nothing(session, vocab):
    assert search_parts(session, PartQuery(), vocab) == []
    assert search_parts(session, PartQuery(year=2015), vocab) == []


def test_no_query_per_hit(session, vocab):
    """One ranked query plus one for numbers and one for fitments, however many hits."""
    statements = []
    engine = session.get_bind()

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        hits = search_parts(session, PartQuery(model="Land Cruiser", part="brake pads"), vocab)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(hits) == 5
    assert len(statements) == 3


def test_search_loads_the_vocabulary_when_not_given(session):
    assert skus(search_parts(session, PartQuery(model="لاندكروزر", year=2015, part="فلتر زيت"))) == [
        "OF-2",
        "OF-1",
    ]


def test_spaced_aftermarket_number_pasted_as_the_part(session, vocab):
    assert skus(search_parts(session, PartQuery(part="0 986 580 371"), vocab)) == ["FP-1"]
    assert skus(find_by_number(session, "0986580371")) == ["FP-1"]


def test_engine_specific_fitment_is_shown(session, vocab):
    from catalog.normalize import normalize_part_number
    from catalog.schema import Category, Fitment, Model, Part

    lc = session.execute(select(Model).where(Model.name == "Land Cruiser")).scalar_one()
    plugs = session.execute(select(Category).where(Category.name == "Spark Plugs")).scalar_one()
    part = Part(
        sku="SP-9", name="Spark Plugs - Toyota Land Cruiser 1UR-FE", category_id=plugs.id, brand="Denso",
        part_number="90919-01275", part_number_norm=normalize_part_number("90919-01275"),
        price_aed=Decimal("55"), stock=8, condition="oem",
    )  # fmt: skip
    part.fitments = [
        Fitment(make_id=lc.make_id, model_id=lc.id, year_from=2012, year_to=2021, engine="1UR-FE"),
        Fitment(make_id=lc.make_id, model_id=lc.id, year_from=2008, year_to=2011, engine="1UR-FE"),
    ]
    session.add(part)
    session.commit()
    hits = search_parts(session, PartQuery(model="land cruiser", year=2015, part="بواجي"), vocab)
    assert [(h.sku, h.fitment) for h in hits] == [("SP-9", "Toyota Land Cruiser 2008-2021 (1UR-FE)")]


def test_aftermarket_number_with_spaces_typed_as_the_part(session, vocab):
    assert skus(search_parts(session, PartQuery(part="p 83 152"), vocab)) == ["BP-3"]
    # words with digits that are no number still reach the free-text search
    assert skus(search_parts(session, PartQuery(model="patrol", part="side step y62"), vocab)) == ["ACC-1"]
