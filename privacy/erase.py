"""Erase one customer: conversation, vehicles, personal fields of leads, staff messages, sends.

Leads are *anonymised*, not deleted: the shop keeps what was sold or asked for (part, price,
vehicle model) under a random pseudonym that cannot be traced back; name, number, VIN, the
customer's words and media ids go. The customer row and their vehicles are deleted.

Rasa's conversation (tracker ``events``) is deleted only while no turn is running for that
customer: a running turn saves its tracker at the end and would write the history back. A
request made inside a turn (the customer's own "delete my data") therefore leaves the
conversation to :func:`finish_pending`, run a few seconds later by the action server and by
the scheduled retention command. ``privacy_erasures`` keeps the audit trail (when, who asked,
what was removed), and the customer id only until the conversation is gone.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.engine import Connection, Engine

from catalog.schema import Customer, CustomerVehicle, Lead, PrivacyErasure, StaffMessage

log = logging.getLogger(__name__)

ERASED_TEXT = "[erased at the customer's request]"


class ErasureError(ValueError):
    """The request cannot be carried out (empty customer id)."""


@dataclass
class ErasureReport:
    """What one erasure removed; stored (without the customer id) in ``privacy_erasures``."""

    pseudonym: str
    customer_rows: int = 0
    vehicles: int = 0
    leads_anonymised: int = 0
    staff_messages: int = 0
    whatsapp_records: int = 0
    conversation_events: int | None = None  # None: not yet (a turn may still be running)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def new_pseudonym() -> str:
    """Random, so nothing links it back to the number; the same for all of one customer's rows."""
    return f"erased-{secrets.token_hex(6)}"


def erase_customer(
    catalog: Engine,
    tracker: Engine | None,
    customer_id: str,
    requested_by: str,
    conversation_now: bool = True,
    idle_seconds: float = 5.0,
) -> ErasureReport:
    """Remove or anonymise everything stored about ``customer_id`` (the WhatsApp id / Rasa sender id).

    ``conversation_now=False`` (inside the customer's own turn) leaves the tracker to
    :func:`finish_pending`.
    """
    customer_id = (customer_id or "").strip()
    if not customer_id:
        raise ErasureError("a customer id (WhatsApp number or sender id) is required")
    report = ErasureReport(pseudonym=new_pseudonym())
    with catalog.begin() as conn:
        _erase_catalog(conn, customer_id, report)
        _erase_whatsapp(conn, customer_id, report)
        erasure_id = conn.execute(
            PrivacyErasure.__table__.insert().values(
                conversation_id=customer_id,
                pseudonym=report.pseudonym,
                requested_by=requested_by[:64],
                requested_at=_now(),
                report=report.to_dict(),
            )
        ).inserted_primary_key[0]
    if conversation_now:
        finish_pending(catalog, tracker, idle_seconds=0.0, only_id=erasure_id, report=report)
    log.info("erased customer data (%s) requested by %s", report.pseudonym, requested_by)
    return report


def _erase_catalog(conn: Connection, customer_id: str, report: ErasureReport) -> None:
    leads = Lead.__table__
    customer_pk = conn.execute(
        select(Customer.__table__.c.id).where(Customer.__table__.c.channel_user_id == customer_id)
    ).scalar_one_or_none()
    report.leads_anonymised = conn.execute(
        update(leads)
        .where(leads.c.channel_user_id == customer_id)
        .values(
            channel_user_id=report.pseudonym,
            conversation_id=report.pseudonym,
            customer_id=None,
            customer_name=None,
            vin=None,
            details=None,
            source_key=None,
        )
    ).rowcount
    staff = StaffMessage.__table__
    report.staff_messages = conn.execute(
        update(staff)
        .where(staff.c.conversation_id == customer_id)
        .values(conversation_id=report.pseudonym, recipient=report.pseudonym, body=ERASED_TEXT, payload=None)
    ).rowcount
    if customer_pk is not None:
        report.vehicles = conn.execute(
            delete(CustomerVehicle.__table__).where(CustomerVehicle.__table__.c.customer_id == customer_pk)
        ).rowcount
        report.customer_rows = conn.execute(
            delete(Customer.__table__).where(Customer.__table__.c.id == customer_pk)
        ).rowcount


def _erase_whatsapp(conn: Connection, customer_id: str, report: ErasureReport) -> None:
    """The connector's tables, by name (this package does not import the connector)."""
    tables = set(inspect(conn).get_table_names())
    if "whatsapp_failed_sends" in tables:
        report.whatsapp_records += conn.execute(
            text("DELETE FROM whatsapp_failed_sends WHERE recipient = :c"), {"c": customer_id}
        ).rowcount
    if "whatsapp_inbox" in tables:
        # Finished messages lose their text and sender; the id stays 8 days for deduplication.
        # The message being answered right now (this request) is left to retention (8 days).
        report.whatsapp_records += conn.execute(
            text(
                "UPDATE whatsapp_inbox SET sender_id = :p, message = '{}' "
                "WHERE sender_id = :c AND state IN ('done', 'failed')"
            ),
            {"c": customer_id, "p": report.pseudonym},
        ).rowcount


def finish_pending(
    catalog: Engine,
    tracker: Engine | None,
    idle_seconds: float = 5.0,
    only_id: int | None = None,
    report: ErasureReport | None = None,
) -> int:
    """Delete the conversations of erasures still waiting for them; returns how many finished."""
    table = PrivacyErasure.__table__
    query = select(table.c.id, table.c.conversation_id, table.c.report).where(table.c.completed_at.is_(None))
    if only_id is not None:
        query = query.where(table.c.id == only_id)
    with catalog.connect() as conn:
        pending = conn.execute(query).all()
    finished = 0
    for row in pending:
        events = _erase_conversation(tracker, row.conversation_id, idle_seconds)
        if events is None:
            continue  # a turn is running for this customer: next run
        stored = dict(row.report or {})
        stored["conversation_events"] = events
        if report is not None:
            report.conversation_events = events
        with catalog.begin() as conn:
            conn.execute(
                update(table)
                .where(table.c.id == row.id)
                .values(conversation_id=None, completed_at=_now(), report=stored)
            )
        finished += 1
    return finished


def _erase_conversation(tracker: Engine | None, sender_id: str, idle_seconds: float) -> int | None:
    """Delete the sender's tracker events; None while the conversation changed in the last seconds."""
    if tracker is None:
        return 0
    with tracker.begin() as conn:
        if "events" not in inspect(conn).get_table_names():
            return 0
        last = conn.execute(
            text("SELECT max(timestamp) FROM events WHERE sender_id = :s"), {"s": sender_id}
        ).scalar()
        if last is not None and time.time() - float(last) < idle_seconds:
            return None
        return conn.execute(text("DELETE FROM events WHERE sender_id = :s"), {"s": sender_id}).rowcount


def _now() -> datetime:
    return datetime.now(timezone.utc)
