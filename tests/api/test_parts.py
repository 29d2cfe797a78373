"""GET /api/v1/parts and /api/v1/parts/{sku}: what the website and partners get back."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import assert_problem

# all fit exactly: in stock first, cheaper first (used 150, oem 300, rear 350, genuine 420);
# the Brembo pads (stock 0) last
LC_PADS = ["BP-5", "BP-2", "BP-4", "BP-1", "BP-3"]


def skus(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [p["sku"] for p in response.json()["items"]]


def test_vehicle_and_part(client):
    r = client.get(
        "/api/v1/parts",
        params={"make": "Toyota", "model": "Land Cruiser", "year": 2015, "part": "brake pads"},
    )
    assert skus(r) == LC_PADS
    first = r.json()["items"][0]
    assert first == {
        "sku": "BP-5",
        "name": "Front Brake Pads - Toyota Land Cruiser LC200 (used)",
        "category": "Brake Pads",
        "brand": "Toyota Genuine",
        "part_number": "04465-60280",
        "oem_numbers": ["04465-60280"],
        "price_aed": 150.0,
        "stock": 1,
        "in_stock": True,
        "condition": "used",
        "fits": "Toyota Land Cruiser 2008-2021",
    }
    assert "url" not in first  # PART_URL_TEMPLATE not set
    assert r.json()["query"] == {
        "make": "Toyota",
        "model": "Land Cruiser",
        "year": 2015,
        "part": "brake pads",
        "part_number": None,
        "condition": None,
    }


@pytest.mark.parametrize(
    "q",
    [
        "فحمات لاندكروزر 2015",
        "ابي فحمات للاندكروزر موديل 2015",
        "brake pads land cruiser 2015",
        "need brake pad for my 2015 toyta landcrusier",
        "abi fa7mat landcruiser 2015",
    ],
)
def test_free_text_in_arabic_english_arabizi_and_typos(client, q):
    r = client.get("/api/v1/parts", params={"q": q})
    assert sorted(skus(r)) == sorted(LC_PADS)
    understood = r.json()["query"]
    assert (understood["make"], understood["model"], understood["year"]) == ("Toyota", "Land Cruiser", 2015)


def test_explicit_parameters_win_over_free_text(client):
    r = client.get("/api/v1/parts", params={"q": "fa7mat land cruiser 2015", "model": "patrol"})
    assert skus(r) == ["BP-6"]


@pytest.mark.parametrize(
    "number", ["04465-60320", "0446560320", "04465 60320", " 04465.60320 ", "٠٤٤٦٥-٦٠٣٢٠"]
)
def test_number_in_any_format(client, number):
    assert skus(client.get("/api/v1/parts", params={"number": number})) == ["BP-1", "BP-2", "BP-3"]


def test_number_typed_into_q(client):
    assert skus(client.get("/api/v1/parts", params={"q": "price for 04465 60320 pls"}))[0] == "BP-1"


def test_filters_in_stock_condition_brand(client):
    base = {"model": "land cruiser", "year": 2015, "part": "pads"}
    assert "BP-3" not in skus(client.get("/api/v1/parts", params={**base, "in_stock": "true"}))
    assert skus(client.get("/api/v1/parts", params={**base, "condition": "used"})) == ["BP-5"]
    assert skus(client.get("/api/v1/parts", params={**base, "brand": "advics"})) == ["BP-2"]


def test_nothing_found_is_an_empty_list_not_an_error(client):
    assert skus(client.get("/api/v1/parts", params={"model": "Patrol", "part": "wiper blades"})) == []
    assert skus(client.get("/api/v1/parts", params={"q": "hello"})) == []


def test_cursor_pages_with_link_header(client):
    params = {"model": "land cruiser", "year": 2015, "part": "brake pads", "limit": 2}
    seen, url, pages = [], "/api/v1/parts", 0
    r = client.get(url, params=params)
    while True:
        pages += 1
        seen += skus(r)
        link = r.headers.get("link")
        if not link:
            assert r.json()["next_cursor"] is None
            break
        match = re.fullmatch(r'<([^>]+)>; rel="next"', link)
        assert match, link
        assert r.json()["next_cursor"] in match[1]
        r = client.get(match[1])  # the absolute URL, as a client would follow it
    assert seen == LC_PADS and pages == 3


def test_cursor_of_another_query_is_refused(client):
    first = client.get("/api/v1/parts", params={"part": "brake pads", "limit": 1}).json()
    r = client.get("/api/v1/parts", params={"part": "oil filter", "limit": 1, "cursor": first["next_cursor"]})
    assert_problem(r, 422, "cursor", "different query")
    assert_problem(client.get("/api/v1/parts", params={"part": "pads", "cursor": "garbage!"}), 422, "cursor")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"part": "pads", "year": "abc"}, "year"),
        ({"part": "pads", "year": "1800"}, "year"),
        ({"part": "pads", "limit": "101"}, "limit"),
        ({"part": "pads", "limit": "0"}, "limit"),
        ({"part": "pads", "condition": "new"}, "condition"),
        ({"part": "pads", "in_stock": "maybe"}, "in_stock"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(client, params, field):
    body = assert_problem(client.get("/api/v1/parts", params=params), 422, field)
    assert body["errors"][0]["field"] == field


def test_nothing_to_search_for(client):
    assert_problem(client.get("/api/v1/parts"), 422, "at least one of")
    assert_problem(
        client.get("/api/v1/parts", params={"in_stock": "true", "year": 2015}), 422, "at least one of"
    )


def test_part_by_sku_with_fitments(client):
    r = client.get("/api/v1/parts/BP-1")
    assert r.status_code == 200
    part = r.json()
    assert part["fitments"] == [
        {"make": "Lexus", "model": "LX570", "year_from": 2008, "year_to": 2021, "engine": None},
        {"make": "Toyota", "model": "Land Cruiser", "year_from": 2008, "year_to": 2021, "engine": None},
    ]
    assert part["numbers"] == [
        {"number": "04465-60320", "kind": "oem"},
        {"number": "04465-60280", "kind": "oem"},
    ]
    assert (part["price_aed"], part["stock"], part["in_stock"], part["category_ar"]) == (
        420.0,
        12,
        True,
        "فحمات فرامل",
    )
    assert client.get("/api/v1/parts/bp-1").json()["sku"] == "BP-1"


def test_unknown_sku_is_404(client):
    assert_problem(client.get("/api/v1/parts/NOPE-404"), 404, "NOPE-404")


def test_etag_and_if_none_match(client, api_db):
    first = client.get("/api/v1/parts/BP-1")
    etag = first.headers["etag"]
    again = client.get("/api/v1/parts/BP-1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/api/v1/parts/BP-1", headers={"If-None-Match": '"other"'}).status_code == 200
    # the stock changes: the old ETag no longer matches and the new body comes back
    from sqlalchemy import update

    from catalog.schema import Part
    from shopkernel.db import make_engine

    engine = make_engine(api_db)
    with engine.begin() as conn:
        conn.execute(update(Part).where(Part.sku == "BP-1").values(stock=3))
    engine.dispose()
    changed = client.get("/api/v1/parts/BP-1", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["stock"] == 3 and changed.headers["etag"] != etag


def test_search_results_have_etags_too(client):
    r = client.get("/api/v1/parts", params={"part": "oil filter"})
    assert client.get("/api/v1/parts", params={"part": "oil filter"},
                      headers={"If-None-Match": r.headers["etag"]}).status_code == 304  # fmt: skip


def test_part_url_from_template(make_client):
    client = make_client(part_url_template="https://carpartsdubai.example/p/{sku}?ref=api")
    item = client.get("/api/v1/parts", params={"number": "04465-60320"}).json()["items"][0]
    assert item["url"] == "https://carpartsdubai.example/p/BP-1?ref=api"
    assert client.get("/api/v1/parts/BP-1").json()["url"] == "https://carpartsdubai.example/p/BP-1?ref=api"
