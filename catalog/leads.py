"""Customers, their vehicles, human handoff and sales leads.

Everything a conversation should leave behind for the shop's staff. Functions flush but do not
commit: the caller owns the transaction (``shopkernel.db.session_scope``). Nothing here drops what
the customer said: over-long text is cut to the column size and kept whole in ``details``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.schema import (
    LEAD_KINDS,
    LEAD_STATUSES,
    LEGACY_LEAD_STATUSES,
    Customer,
    CustomerVehicle,
    Lead,
    Part,
)
from shopkernel.masking import mask_phone
from shopkernel.numerals import MIN_YEAR, is_model_year, max_year

log = logging.getLogger(__name__)

MAX_LIST = 500
_VIN = re.compile(r"^[A-Z0-9]{17}$")
# Column sizes of the text fields a lead copies (schema.Lead).
_LEAD_LIMITS = {
    "customer_name": 128,
    "conversation_id": 128,
    "make": 64,
    "model": 64,
    "vin": 32,
    "part_query": 255,
    "sku": 64,
}


class LeadError(ValueError):
    """Bad input for a customer, vehicle or lead; the message says which field and why."""


@dataclass
class LeadDraft:
    """What the conversation knows when it hands a request to staff."""

    channel_user_id: str
    conversation_id: str
    kind: str  # quote | not_found | handoff
    customer_name: str | None = None
    make: str | None = None
    model: str | None = None
    year: int | None = None
    vin: str | None = None
    part_query: str | None = None
    part_id: int | None = None
    sku: str | None = None
    price_aed: Decimal | None = None
    status: str = "new"
    details: dict | None = None
    source_key: str | None = None  # "<kind>:<message id>": the same key twice is the same lead


# --------------------------------------------------------------------------- customers
def get_or_create_customer(
    session: Session,
    channel_user_id: str,
    name: str | None = None,
    phone: str | None = None,
    lang: str | None = None,
) -> Customer:
    """The customer for this channel id, created on first contact; newer name/phone/lang win."""
    channel_user_id = _channel_id(channel_user_id)
    if phone is not None and len(phone.strip()) > 32:
        raise LeadError("phone is longer than 32 characters")
    if lang is not None and len(lang.strip()) > 8:
        raise LeadError("lang must be a short language code such as 'en' or 'ar'")
    customer = _find_customer(session, channel_user_id)
    if customer is None:
        customer = _insert_customer(session, channel_user_id)
    if name and name.strip():
        customer.name = name.strip()[:128]
    if phone and phone.strip():
        customer.phone = phone.strip()
    if lang and lang.strip():
        customer.lang = lang.strip().lower()
    session.flush()
    return customer


def _find_customer(session: Session, channel_user_id: str) -> Customer | None:
    stmt = select(Customer).where(Customer.channel_user_id == channel_user_id)
    return session.execute(stmt).scalar_one_or_none()


def _insert_customer(session: Session, channel_user_id: str) -> Customer:
    """Insert in a savepoint so a concurrent first message from the same customer is harmless."""
    customer = Customer(channel_user_id=channel_user_id, handoff_active=False)
    try:
        with session.begin_nested():
            session.add(customer)
            session.flush()
    except IntegrityError:
        existing = _find_customer(session, channel_user_id)
        if existing is None:
            raise
        return existing
    log.info("new customer %s", mask_phone(channel_user_id))
    return customer


# --------------------------------------------------------------------------- handoff
def set_handoff(session: Session, channel_user_id: str, active: bool) -> None:
    """Turn human handoff on (the bot stays silent for this customer) or off."""
    customer = get_or_create_customer(session, channel_user_id)
    if bool(active) != bool(customer.handoff_active):
        customer.handoff_active = bool(active)
        customer.handoff_since = datetime.now(timezone.utc) if active else None
        log.info("handoff %s for %s", "on" if active else "off", mask_phone(customer.channel_user_id))
    session.flush()


def is_handoff_active(session: Session, channel_user_id: str) -> bool:
    """True while staff have taken over the conversation; False for unknown customers."""
    if not isinstance(channel_user_id, str) or not channel_user_id.strip():
        return False
    stmt = select(Customer.handoff_active).where(Customer.channel_user_id == channel_user_id.strip())
    return bool(session.execute(stmt).scalar_one_or_none())


# --------------------------------------------------------------------------- leads
def record_lead(session: Session, draft: LeadDraft) -> Lead:
    """Store a lead (and the customer, if new); flushed, so ``lead.id`` is set.

    A draft with a ``source_key`` already stored returns that lead: a conversation turn that
    runs twice (re-driven after a crash) leaves one lead.

    A draft spooled before the staff workflow existed may carry an old status (``needs_human``,
    ``pending_retry``): it is stored as the workflow's equivalent, never refused.
    """
    if isinstance(draft, LeadDraft) and draft.status in LEGACY_LEAD_STATUSES:
        draft.status = LEGACY_LEAD_STATUSES[draft.status]
    _validate_draft(draft)
    if draft.source_key:
        existing = _lead_by_key(session, draft.source_key)
        if existing is not None:
            log.info("lead %s already recorded for %s", existing.id, draft.source_key)
            return existing
        try:
            with session.begin_nested():
                return _insert_lead(session, draft)
        except IntegrityError:  # the same turn on two instances at once: the other one won
            existing = _lead_by_key(session, draft.source_key)
            if existing is None:
                raise
            return existing
    return _insert_lead(session, draft)


def _lead_by_key(session: Session, key: str) -> Lead | None:
    return session.execute(select(Lead).where(Lead.source_key == key)).scalar_one_or_none()


def _insert_lead(session: Session, draft: LeadDraft) -> Lead:
    customer = get_or_create_customer(session, draft.channel_user_id, name=draft.customer_name)
    details = dict(draft.details or {})
    values = {}
    for name, limit in _LEAD_LIMITS.items():
        value = getattr(draft, name)
        if isinstance(value, str):
            value = value.strip() or None
        if value is not None and len(value) > limit:
            details.setdefault("full_text", {})[name] = value
            value = value[:limit]
        values[name] = value
    part_id = draft.part_id
    if part_id is not None and session.get(Part, part_id) is None:
        details["missing_part_id"] = part_id  # the catalog changed since the quote; keep the sku/price
        part_id = None
    lead = Lead(
        customer_id=customer.id,
        channel_user_id=customer.channel_user_id,
        kind=draft.kind,
        status=draft.status,
        year=draft.year,
        part_id=part_id,
        price_aed=_price(draft.price_aed),
        details=details or None,
        source_key=(draft.source_key or None) and draft.source_key[:300],
        **values,
    )
    if lead.customer_name is None and customer.name:
        lead.customer_name = customer.name
    session.add(lead)
    session.flush()
    log.info("lead %s (%s) for %s", lead.id, lead.kind, mask_phone(customer.channel_user_id))
    return lead


def list_leads(session: Session, status: str | None = None, limit: int = 50) -> list[Lead]:
    """Newest leads first, optionally only one status."""
    if status is not None and status not in LEAD_STATUSES:
        raise LeadError(f"status must be one of {', '.join(LEAD_STATUSES)}, got {status!r}")
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
        raise LeadError(f"limit must be between 1 and {MAX_LIST}, got {limit!r}")
    stmt = select(Lead).order_by(Lead.created_at.desc(), Lead.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Lead.status == status)
    return list(session.execute(stmt).scalars())


def _validate_draft(draft: LeadDraft) -> None:
    if not isinstance(draft, LeadDraft):
        raise LeadError(f"expected a LeadDraft, got {type(draft).__name__}")
    _channel_id(draft.channel_user_id)
    if not isinstance(draft.conversation_id, str) or not draft.conversation_id.strip():
        raise LeadError("conversation_id is empty")
    if draft.kind not in LEAD_KINDS:
        raise LeadError(f"kind must be one of {', '.join(LEAD_KINDS)}, got {draft.kind!r}")
    if draft.status not in LEAD_STATUSES:
        raise LeadError(f"status must be one of {', '.join(LEAD_STATUSES)}, got {draft.status!r}")
    _year(draft.year)
    _price(draft.price_aed)
    for f in fields(LeadDraft):
        value = getattr(draft, f.name)
        if f.name in _LEAD_LIMITS and value is not None and not isinstance(value, str):
            raise LeadError(f"{f.name} must be text, got {type(value).__name__}")


def _price(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise LeadError(f"price_aed is not a number: {value!r}") from exc
    if not price.is_finite() or price < 0:
        raise LeadError(f"price_aed must be zero or more, got {value!r}")
    return price.quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- vehicles
def save_customer_vehicle(
    session: Session,
    channel_user_id: str,
    make: str | None,
    model: str | None,
    year: int | None,
    vin: str | None = None,
    frame_number: str | None = None,
    engine: str | None = None,
    decoded: dict | None = None,
) -> CustomerVehicle:
    """Remember the customer's vehicle; the same vehicle again updates the stored one.

    Same vehicle = same VIN, or same frame number, or same make/model/year where neither side
    has a conflicting VIN/frame number (a VIN given later fills in the earlier entry).
    """
    _year(year)
    vin = _clean_code(vin, "vin", 17)
    if vin is not None and not _VIN.match(vin):
        raise LeadError(f"vin must be 17 letters/digits, got {len(vin)} characters")
    frame_number = _clean_code(frame_number, "frame_number", 32)
    make = _clean_text(make, "make")
    model = _clean_text(model, "model")
    engine = _clean_text(engine, "engine")
    if not any((make, model, vin, frame_number)):
        raise LeadError("a vehicle needs at least a make, a model, a VIN or a frame number")
    customer = get_or_create_customer(session, channel_user_id)
    existing = session.execute(
        select(CustomerVehicle).where(CustomerVehicle.customer_id == customer.id)
    ).scalars()
    vehicle = next(
        (v for v in existing if _same_vehicle(v, make, model, year, vin, frame_number)),
        None,
    )
    if vehicle is None:
        vehicle = CustomerVehicle(customer_id=customer.id)
        session.add(vehicle)
    vehicle.make = make or vehicle.make
    vehicle.model = model or vehicle.model
    vehicle.year = year or vehicle.year
    vehicle.vin = vin or vehicle.vin
    vehicle.frame_number = frame_number or vehicle.frame_number
    vehicle.engine = engine or vehicle.engine
    if decoded:
        vehicle.decoded = {**(vehicle.decoded or {}), **decoded}
    vehicle.last_used_at = datetime.now(timezone.utc)
    session.flush()
    return vehicle


def last_vehicle(session: Session, channel_user_id: str) -> CustomerVehicle | None:
    """The vehicle the customer mentioned most recently, or None."""
    if not isinstance(channel_user_id, str) or not channel_user_id.strip():
        return None
    used = func.coalesce(CustomerVehicle.last_used_at, CustomerVehicle.created_at)
    stmt = (
        select(CustomerVehicle)
        .join(Customer, Customer.id == CustomerVehicle.customer_id)
        .where(Customer.channel_user_id == channel_user_id.strip())
        .order_by(used.desc(), CustomerVehicle.id.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def _same_vehicle(
    v: CustomerVehicle,
    make: str | None,
    model: str | None,
    year: int | None,
    vin: str | None,
    frame: str | None,
) -> bool:
    if vin and v.vin:
        return vin == v.vin
    if frame and v.frame_number:
        return frame == v.frame_number
    same_text = _fold(make) == _fold(v.make) and _fold(model) == _fold(v.model)
    return same_text and (year or None) == (v.year or None) and bool(make or model)


def _fold(text: str | None) -> str:
    return " ".join((text or "").casefold().split())


def _channel_id(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LeadError("channel_user_id is empty")
    value = value.strip()
    if len(value) > 64:
        raise LeadError("channel_user_id is longer than 64 characters")
    return value


def _year(year: object) -> None:
    if year is None:
        return
    if not is_model_year(year):
        raise LeadError(f"year must be a number between {MIN_YEAR} and {max_year()}, got {year!r}")


def _clean_code(value: str | None, name: str, limit: int) -> str | None:
    if value is None:
        return None
    code = re.sub(r"[\s]+", "", str(value)).upper()
    if not code:
        return None
    if len(code) > limit:
        raise LeadError(f"{name} is longer than {limit} characters")
    return code


def _clean_text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if len(text) > 64:
        raise LeadError(f"{name} is longer than 64 characters")
    return text or None


__all__ = [
    "LeadDraft",
    "LeadError",
    "get_or_create_customer",
    "is_handoff_active",
    "last_vehicle",
    "list_leads",
    "record_lead",
    "save_customer_vehicle",
    "set_handoff",
]
