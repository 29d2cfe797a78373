"""Makes, models, categories (with Arabic names) and VIN/frame decoding over HTTP."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem
from tests.fakes.vpic import FakeVpicServer

HONDA = "1HGCM82633A004352"  # decodes at the fake vPIC: Honda Accord 2003


def test_makes_with_arabic_names(client):
    r = client.get("/api/v1/makes")
    assert r.status_code == 200 and "max-age" in r.headers["cache-control"]
    items = {m["name"]: m["name_ar"] for m in r.json()["items"]}
    assert set(items) == {"Toyota", "Nissan", "Lexus", "Hyundai", "Kia"}
    assert items["Toyota"] == "تويوتا" and items["Nissan"] == "نيسان"


@pytest.mark.parametrize("make", ["Toyota", "toyota", "toyta", "تويوتا"])
def test_models_of_a_make_in_any_spelling(client, make):
    r = client.get(f"/api/v1/makes/{make}/models")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["make"] == {"name": "Toyota", "name_ar": "تويوتا"}
    names = [m["name"] for m in body["items"]]
    assert "Land Cruiser" in names and "Prado" in names and "Patrol" not in names
    assert {m["name"]: m["name_ar"] for m in body["items"]}["Land Cruiser"] == "لاندكروزر"


def test_unknown_make_is_404(client):
    assert_problem(client.get("/api/v1/makes/Lada/models"), 404, "Lada")


def test_categories_with_arabic_names(client):
    items = {c["name"]: c["name_ar"] for c in client.get("/api/v1/categories").json()["items"]}
    assert items["Brake Pads"] == "فحمات فرامل" and items["Oil Filter"]
    assert len(items) == 14


def test_vin_decoded_offline(client):
    r = client.get("/api/v1/vehicles/decode", params={"vin": "JTMHV05J604123456"})
    body = r.json()
    assert (body["kind"], body["valid"], body["make"], body["country"]) == ("vin", True, "Toyota", "Japan")
    assert body["online_lookup"] is False


def test_frame_number_gives_model_and_engine(client):
    body = client.get("/api/v1/vehicles/decode", params={"vin": "grj200 1234567"}).json()
    assert (body["kind"], body["normalized"], body["make"], body["model"]) == (
        "frame",
        "GRJ200-1234567",
        "Toyota",
        "Land Cruiser",
    )
    assert body["chassis_code"] == "GRJ200" and 2015 in body["year_candidates"]


@pytest.mark.parametrize(("lang", "word"), [("en", "17"), ("ar", "17 خانة")])
def test_mistyped_vin_explained_in_the_customers_language(client, lang, word):
    body = client.get("/api/v1/vehicles/decode", params={"vin": "JTMHV05J60412345", "lang": lang}).json()
    assert body["valid"] is False and body["problem"] == "length"
    assert word in body["message"]


def test_vin_with_letter_o_for_zero_is_read_as_the_chat_reads_it(client):
    body = client.get("/api/v1/vehicles/decode", params={"vin": "1HGCM82633AOO4352"}).json()
    assert (body["valid"], body["normalized"], body["make"]) == (True, HONDA, "Honda")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "vin"),
        ({"vin": ""}, "vin"),
        ({"vin": "A" * 41}, "vin"),
        ({"vin": "GRJ2001234567", "lang": "fr"}, "lang"),
    ],
)
def test_decode_bad_input_is_422(client, params, field):
    body = assert_problem(client.get("/api/v1/vehicles/decode", params=params), 422, field)
    assert body["errors"][0]["field"] == field


def test_online_lookup_when_configured(make_client):
    from catalog.chassis_lookup import LookupSettings

    with FakeVpicServer(delay=0.1) as vpic:
        client = make_client(lookup=LookupSettings(base_url=vpic.base_url, retry_backoff_s=0.01))
        body = client.get("/api/v1/vehicles/decode", params={"vin": HONDA}).json()
        assert (body["make"], body["model"], body["year"]) == ("Honda", "Accord", 2003)
        assert body["online_lookup"] is True and vpic.count == 1


def test_lookup_down_still_decodes_offline(make_client):
    from catalog.chassis_lookup import LookupSettings

    with FakeVpicServer(delay=0.1) as vpic:
        vpic.script("500", "500", "500")
        client = make_client(lookup=LookupSettings(base_url=vpic.base_url, retry_backoff_s=0.01))
        r = client.get("/api/v1/vehicles/decode", params={"vin": HONDA})
        assert r.status_code == 200
        assert r.json()["make"] == "Honda" and r.json()["online_lookup"] is False
