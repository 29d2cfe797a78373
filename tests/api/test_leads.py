"""POST /api/v1/leads: the website's form becomes a lead; keys, scopes, idempotency, validation."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select

from catalog.schema import Customer, Lead
from shopkernel.db import make_engine, make_session_factory
from tests.api.conftest import assert_problem
from webservice.api.settings import Rate

FORM = {
    "name": "Ahmed Al Mansoori",
    "phone": "050 123 4567",
    "make": "Toyota",
    "model": "Land Cruiser",
    "year": 2015,
    "part": "front brake pads",
    "sku": "BP-1",
    "message": "أحتاجها يوم الخميس",
}


def post(client, body, key: str | None = None, idem: str | None = "auto"):
    headers = {}
    if key:
        headers["X-API-Key"] = key
    if idem:
        headers["Idempotency-Key"] = str(uuid.uuid4()) if idem == "auto" else idem
    return client.post("/api/v1/leads", json=body, headers=headers)


def leads_in(url: str) -> list[Lead]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = list(session.execute(select(Lead).order_by(Lead.id)).scalars())
    engine.dispose()
    return rows


@pytest.fixture
def website_key(new_key) -> str:
    return new_key("website", "leads:write")


def test_lead_created_like_the_assistants(client, website_key, api_db):
    r = post(client, FORM, website_key)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["kind"] == "website" and body["status"] == "new" and body["sku"] == "BP-1"
    assert body["created_at"].endswith("+00:00")
    (lead,) = leads_in(api_db)
    assert lead.id == body["id"]
    assert (lead.channel_user_id, lead.customer_name, lead.make, lead.model, lead.year) == (
        "971501234567",
        "Ahmed Al Mansoori",
        "Toyota",
        "Land Cruiser",
        2015,
    )
    assert lead.sku == "BP-1" and lead.part_id is not None and str(lead.price_aed) == "420.00"
    assert lead.details["phone"] == "+971501234567" and lead.details["message"] == "أحتاجها يوم الخميس"
    engine = make_engine(api_db)
    with make_session_factory(engine)() as session:
        customer = session.execute(
            select(Customer).where(Customer.channel_user_id == "971501234567")
        ).scalar_one()
        assert customer.phone == "+971501234567" and customer.name == "Ahmed Al Mansoori"
    engine.dispose()


def test_same_idempotency_key_and_body_gives_the_same_lead(client, website_key, api_db):
    first = post(client, FORM, website_key, idem="form-7f3a")
    again = post(client, FORM, website_key, idem="form-7f3a")
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert len(leads_in(api_db)) == 1


def test_same_key_with_another_body_is_refused(client, website_key, api_db):
    assert post(client, FORM, website_key, idem="form-1").status_code == 201
    other = post(client, {**FORM, "part": "oil filter"}, website_key, idem="form-1")
    body = assert_problem(other, 422, "Idempotency-Key", "different request body")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert len(leads_in(api_db)) == 1


def test_concurrent_retries_make_one_lead(client, website_key, api_db):
    """A double click and a proxy retry arriving together: one lead, every answer names it."""
    answers = []

    def send():
        answers.append(post(client, FORM, website_key, idem="double-click"))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in answers) == [200] * 5 + [201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert len(leads_in(api_db)) == 1


def test_different_keys_make_different_leads(client, website_key, api_db):
    assert post(client, FORM, website_key).status_code == 201
    assert post(client, FORM, website_key).status_code == 201
    assert len(leads_in(api_db)) == 2


def test_idempotency_key_is_required(client, website_key, api_db):
    body = assert_problem(post(client, FORM, website_key, idem=None), 400, "Idempotency-Key")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert_problem(post(client, FORM, website_key, idem="x" * 256), 422, "Idempotency-Key")
    assert leads_in(api_db) == []


def test_api_key_with_leads_scope_is_required(client, new_key, api_db):
    r = post(client, FORM)
    assert_problem(r, 401, "leads:write")
    assert r.headers["www-authenticate"].startswith("Bearer")
    read_only = new_key("garage", "parts:read")
    assert_problem(post(client, FORM, read_only), 403, "leads:write")
    assert_problem(post(client, FORM, "cpd_00000000_" + "x" * 32), 401, "not valid")
    assert leads_in(api_db) == []


def test_bearer_header_works_too(client, website_key):
    r = client.post(
        "/api/v1/leads",
        json=FORM,
        headers={"Authorization": f"Bearer {website_key}", "Idempotency-Key": "b-1"},
    )
    assert r.status_code == 201


def test_revoked_key_stops_working(make_client, website_key, api_db):
    from accounts.api_keys import revoke_key

    client = make_client(api_key_cache_s=0)
    assert post(client, FORM, website_key).status_code == 201
    engine = make_engine(api_db)
    with make_session_factory(engine)() as session:
        revoke_key(session, website_key.split("_")[1])
        session.commit()
    engine.dispose()
    assert_problem(post(client, FORM, website_key), 401, "revoked")
    assert_problem(client.get("/api/v1/makes", headers={"X-API-Key": website_key}), 401)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "+971 12 345"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"name": "   "}, "name"),
        ({"year": 1800}, "year"),
        ({"year": "abc"}, "year"),
        ({"part": None, "sku": None, "message": None}, "part, sku or message"),
        ({"colour": "red"}, "colour"),
        ({"message": "x" * 2001}, "message"),
    ],
)
def test_bad_form_is_422_naming_the_field_and_creates_nothing(client, website_key, api_db, change, field):
    body = {**FORM, **change}
    assert_problem(post(client, body, website_key), 422, field)
    assert leads_in(api_db) == []


def test_body_that_is_not_json(client, website_key):
    r = client.post(
        "/api/v1/leads",
        content=b"name=Ahmed&phone=0501234567",
        headers={
            "X-API-Key": website_key,
            "Idempotency-Key": "nf-1",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert_problem(r, 422)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("050 123 4567", "+971501234567"),
        ("+971 50 123 4567", "+971501234567"),
        ("00971501234567", "+971501234567"),
        ("٠٥٠١٢٣٤٥٦٧", "+971501234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("04 123 4567", "+97141234567"),
    ],
)
def test_phones_as_customers_type_them(client, website_key, api_db, typed, e164):
    assert post(client, {**FORM, "phone": typed}, website_key).status_code == 201
    assert leads_in(api_db)[-1].details["phone"] == e164


def test_unknown_sku_is_kept_not_lost(client, website_key, api_db):
    assert post(client, {**FORM, "sku": "OLD-SKU-9"}, website_key).status_code == 201
    lead = leads_in(api_db)[-1]
    assert lead.sku == "OLD-SKU-9" and lead.part_id is None and lead.details["unknown_sku"] == "OLD-SKU-9"


def test_open_lead_form_is_rate_limited_per_address(make_client, api_db):
    client = make_client(leads_open=True, leads_rate=Rate(2, 3600))
    codes = [post(client, {**FORM, "phone": f"05012345{n:02d}"}).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    assert len(leads_in(api_db)) == 2
    engine = make_engine(api_db)
    with make_session_factory(engine)() as session:
        assert (
            session.execute(select(func.count()).select_from(Lead).where(Lead.kind == "website")).scalar_one()
            == 2
        )
    engine.dispose()
