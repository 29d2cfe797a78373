"""Pages, shop filters and one part's detail (what the public API needs), on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.search import PartQuery, SearchError, part_detail, search_page, search_parts

LC_PADS = dict(make="Toyota", model="Land Cruiser", year=2015, part="brake pads")


def skus(hits):
    return [h.sku for h in hits]


def test_pages_follow_the_ranking_without_gaps_or_repeats(session, vocab):
    everything = skus(search_parts(session, PartQuery(**LC_PADS, limit=10), vocab))
    assert len(everything) == 5
    seen, offset = [], 0
    while True:
        page = search_page(session, PartQuery(**LC_PADS, limit=2, offset=offset), vocab)
        seen += skus(page.hits)
        offset += 2
        if not page.has_more:
            break
    assert seen == everything
    assert offset == 6  # pages of 2, 2, 1: the last one says there is no more


def test_last_full_page_says_no_more(session, vocab):
    page = search_page(session, PartQuery(**LC_PADS, limit=5), vocab)
    assert len(page.hits) == 5 and not page.has_more


def test_number_pages_stay_on_the_number(session, vocab):
    everything = skus(search_parts(session, PartQuery(part_number="04465 60320"), vocab))
    assert everything == ["BP-1", "BP-2", "BP-3"]  # own number first, then OEM cross-references
    first = search_page(session, PartQuery(part_number="04465 60320", limit=2), vocab)
    second = search_page(session, PartQuery(part_number="04465 60320", limit=2, offset=2), vocab)
    assert first.has_more and not second.has_more
    assert skus(first.hits) + skus(second.hits) == everything
    beyond = search_page(session, PartQuery(part_number="04465 60320", limit=2, offset=40), vocab)
    assert beyond.hits == [] and not beyond.has_more


def test_in_stock_filter_drops_out_of_stock_parts(session, vocab):
    hits = search_parts(session, PartQuery(**LC_PADS, in_stock=True), vocab)
    assert "BP-3" not in skus(hits) and all(h.stock > 0 for h in hits) and len(hits) == 4


def test_brand_filter_ignores_case_and_spaces(session, vocab):
    hits = search_parts(session, PartQuery(model="land cruiser", brand="  toyota   GENUINE "), vocab)
    assert hits and {h.brand for h in hits} == {"Toyota Genuine"}
    assert search_parts(session, PartQuery(**LC_PADS, brand="Brembo"), vocab)[0].sku == "BP-3"
    assert search_parts(session, PartQuery(**LC_PADS, brand="Nobody"), vocab) == []


def test_filters_apply_to_number_searches(session, vocab):
    assert skus(search_parts(session, PartQuery(part_number="0446560320", brand="advics"), vocab)) == ["BP-2"]
    in_stock = skus(search_parts(session, PartQuery(part_number="0446560320", in_stock=True), vocab))
    assert "BP-3" not in in_stock and "BP-1" in in_stock


@pytest.mark.parametrize("offset", [-1, 10_001, "2"])
def test_bad_offset_is_refused(offset):
    with pytest.raises(SearchError, match="offset"):
        PartQuery(part="pads", offset=offset)


def test_part_detail_has_every_fitment_and_number(session):
    part = part_detail(session, "BP-1")
    assert part is not None
    assert part.name.startswith("Front Brake Pads") and part.price_aed == Decimal("420.00")
    assert [(f.make, f.model, f.year_from, f.year_to) for f in part.fitments] == [
        ("Lexus", "LX570", 2008, 2021),
        ("Toyota", "Land Cruiser", 2008, 2021),
    ]
    assert [n.number for n in part.numbers] == ["04465-60320", "04465-60280"]
    assert part.category == "Brake Pads" and part.stock == 12 and part.condition == "genuine"


def test_part_detail_by_sku_in_other_case_and_unknown(session):
    assert part_detail(session, "bp-8").sku == "BP-8"
    assert len(part_detail(session, "BP-8").fitments) == 2
    assert part_detail(session, "NOPE-1") is None
    assert part_detail(session, "  ") is None
