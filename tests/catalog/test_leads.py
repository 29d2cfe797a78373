"""Customers, vehicles, handoff and leads on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.leads import (
    LeadDraft,
    LeadError,
    get_or_create_customer,
    is_handoff_active,
    last_vehicle,
    list_leads,
    record_lead,
    save_customer_vehicle,
    set_handoff,
)
from catalog.schema import Customer, CustomerVehicle, Lead

WA = "971501234567"


def draft(**kw) -> LeadDraft:
    base = dict(channel_user_id=WA, conversation_id=WA, kind="quote")
    return LeadDraft(**{**base, **kw})


def test_quote_lead_is_stored_with_its_customer(session):
    lead = record_lead(
        session,
        draft(customer_name="Ahmed", make="Toyota", model="Land Cruiser", year=2015,
              part_query="فحمات", sku="BP-1", price_aed=Decimal("420"), details={"hits": 5}),
    )  # fmt: skip
    session.commit()
    assert lead.id is not None
    stored = session.get(Lead, lead.id)
    customer = session.get(Customer, stored.customer_id)
    assert customer.channel_user_id == WA and customer.name == "Ahmed"
    assert (stored.kind, stored.status, stored.part_query, stored.sku) == ("quote", "new", "فحمات", "BP-1")
    assert stored.price_aed == Decimal("420.00") and stored.details == {"hits": 5}


def test_second_lead_reuses_the_customer(session):
    first = record_lead(session, draft(kind="not_found", part_query="side step"))
    second = record_lead(session, draft(kind="handoff"))
    assert first.customer_id == second.customer_id
    assert session.execute(select(func.count()).select_from(Customer)).scalar() == 1


def test_lead_links_a_real_part_and_survives_a_removed_one(session):
    from catalog.schema import Part

    part = session.execute(select(Part).where(Part.sku == "BP-1")).scalar_one()
    kept = record_lead(session, draft(part_id=part.id, sku="BP-1"))
    assert kept.part_id == part.id
    gone = record_lead(session, draft(part_id=999999, sku="OLD-1", price_aed="99.5"))
    session.commit()
    assert gone.part_id is None
    assert gone.details == {"missing_part_id": 999999}
    assert (gone.sku, gone.price_aed) == ("OLD-1", Decimal("99.50"))


def test_long_text_is_cut_to_the_column_but_kept_whole(session):
    text = "فحمات " * 80
    lead = record_lead(session, draft(part_query=text))
    session.commit()
    assert len(lead.part_query) == 255
    assert lead.details["full_text"]["part_query"] == text.strip()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "sale"}, "kind"),
        ({"status": "open"}, "status"),
        ({"channel_user_id": " "}, "channel_user_id"),
        ({"conversation_id": ""}, "conversation_id"),
        ({"year": 15}, "year"),
        ({"price_aed": "abc"}, "price_aed"),
        ({"price_aed": -5}, "price_aed"),
        ({"make": 123}, "make"),
    ],
)
def test_bad_lead_is_refused_with_the_field_named(session, change, message):
    with pytest.raises(LeadError, match=message):
        record_lead(session, draft(**change))
    assert session.execute(select(func.count()).select_from(Lead)).scalar() == 0


def test_list_leads_newest_first_and_by_status(session):
    a = record_lead(session, draft(kind="quote"))
    b = record_lead(session, draft(kind="not_found", status="contacted"))
    c = record_lead(session, draft(kind="handoff", status="contacted"))
    session.commit()
    assert [lead.id for lead in list_leads(session)] == [c.id, b.id, a.id]
    assert [lead.id for lead in list_leads(session, status="contacted")] == [c.id, b.id]
    assert [lead.id for lead in list_leads(session, limit=1)] == [c.id]
    with pytest.raises(LeadError):
        list_leads(session, status="nope")


def test_a_spooled_draft_with_a_status_from_before_the_console_is_stored_not_refused(session):
    handoff = record_lead(session, draft(kind="handoff", status="needs_human"))
    retry = record_lead(session, draft(kind="quote", status="pending_retry"))
    session.commit()
    assert (handoff.status, retry.status) == ("new", "new")


def test_handoff_on_and_off(session):
    assert is_handoff_active(session, WA) is False  # unknown customer
    set_handoff(session, WA, True)
    session.commit()
    assert is_handoff_active(session, WA) is True
    customer = session.execute(select(Customer).where(Customer.channel_user_id == WA)).scalar_one()
    assert customer.handoff_since is not None
    set_handoff(session, WA, False)
    session.commit()
    assert is_handoff_active(session, WA) is False
    assert customer.handoff_since is None
    assert is_handoff_active(session, "971509999999") is False


def test_customer_details_update_on_later_contact(session):
    first = get_or_create_customer(session, WA, name="Ahmed", lang="ar")
    again = get_or_create_customer(session, WA, name="Ahmed Ali", phone="+971501234567")
    session.commit()
    assert first.id == again.id
    assert (again.name, again.phone, again.lang) == ("Ahmed Ali", "+971501234567", "ar")
    assert get_or_create_customer(session, WA).name == "Ahmed Ali"  # nothing given: nothing erased


def test_same_vehicle_twice_is_stored_once(session):
    a = save_customer_vehicle(session, WA, "Toyota", "Land Cruiser", 2015)
    b = save_customer_vehicle(session, WA, "toyota", "land  cruiser", 2015)
    assert a.id == b.id
    with_vin = save_customer_vehicle(session, WA, "Toyota", "Land Cruiser", 2015, vin="jtmhv05j504123456")
    session.commit()
    assert with_vin.id == a.id and with_vin.vin == "JTMHV05J504123456"
    assert session.execute(select(func.count()).select_from(CustomerVehicle)).scalar() == 1


def test_different_vin_is_a_different_vehicle(session):
    a = save_customer_vehicle(session, WA, "Toyota", "Land Cruiser", 2015, vin="JTMHV05J504123456")
    b = save_customer_vehicle(session, WA, "Toyota", "Land Cruiser", 2015, vin="JTMHV05J504999999")
    assert a.id != b.id


def test_last_vehicle_is_the_one_mentioned_last(session):
    assert last_vehicle(session, WA) is None
    patrol = save_customer_vehicle(session, WA, "Nissan", "Patrol", 2018)
    camry = save_customer_vehicle(session, WA, "Toyota", "Camry", 2016, decoded={"source": "vin"})
    session.commit()
    assert last_vehicle(session, WA).id == camry.id
    save_customer_vehicle(session, WA, "Nissan", "Patrol", 2018, engine="VK56VD")
    session.commit()
    latest = last_vehicle(session, WA)
    assert latest.id == patrol.id and latest.engine == "VK56VD"
    assert last_vehicle(session, "971500000000") is None


def test_frame_number_vehicle(session):
    v = save_customer_vehicle(session, WA, "Toyota", None, None, frame_number="grj200-1234567")
    again = save_customer_vehicle(session, WA, "Toyota", "Land Cruiser", 2012, frame_number="GRJ200-1234567")
    assert v.id == again.id and (again.model, again.year) == ("Land Cruiser", 2012)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"make": None, "model": None, "year": None}, "at least"),
        ({"make": "Toyota", "model": "Camry", "year": 20}, "year"),
        ({"make": "Toyota", "model": "Camry", "year": 2015, "vin": "123"}, "vin"),
    ],
)
def test_bad_vehicle_is_refused(session, kwargs, message):
    with pytest.raises(LeadError, match=message):
        save_customer_vehicle(session, WA, **kwargs)


def test_same_source_key_twice_is_one_lead(session):
    """A turn re-driven after a crash runs the lead action again: still one lead."""
    first = record_lead(session, draft(sku="BP-1", source_key="quote:wamid.AAA"))
    session.commit()
    again = record_lead(session, draft(sku="BP-1", source_key="quote:wamid.AAA"))
    other = record_lead(session, draft(sku="BP-1", source_key="quote:wamid.BBB"))
    session.commit()
    assert again.id == first.id and other.id != first.id
    assert session.scalar(select(func.count()).select_from(Lead)) == 2


def test_a_staff_reply_moves_the_customers_new_leads_to_contacted(session):
    from catalog.lead_workflow import change_status, mark_contacted

    asked = record_lead(session, draft(kind="handoff", source_key="k-handoff"))
    quoted = record_lead(session, draft(sku="BP-1", source_key="k-quote"))
    change_status(session, quoted, "quoted", "sara")
    other = record_lead(session, draft(channel_user_id="971509999999", conversation_id="971509999999"))
    session.commit()

    moved = mark_contacted(session, WA, "omar")
    session.commit()
    assert [lead.id for lead in moved] == [asked.id]
    assert (asked.status, asked.assigned_to) == ("contacted", "omar")
    assert quoted.status == "quoted"  # further along: left alone
    assert other.status == "new"  # another customer
    assert [(e.kind, e.actor) for e in asked.events][-2:] == [("status", "omar"), ("assign", "omar")]
    assert mark_contacted(session, WA, "omar") == []  # a second reply changes nothing
