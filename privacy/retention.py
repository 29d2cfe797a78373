"""Retention limits, applied by ``python -m catalog_loader privacy retention`` (a daily systemd timer).

* conversations (Rasa tracker events) untouched for ``conversation_days`` are deleted, with the
  customer's saved vehicles and failed-send records of that age;
* media ids (voice notes, photos) are removed from leads after ``media_days`` (the media bytes
  themselves are never stored here: Meta keeps them 30 days);
* leads older than ``lead_personal_days`` lose name, number, VIN and the customer's words
  (a pseudonym replaces the number; the part, price and vehicle model stay for the shop's figures);
* the WhatsApp inbox forgets finished messages after ``inbox_days``;
* erasure requests still waiting for their conversation are finished.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.engine import Engine

from catalog.schema import Customer, CustomerVehicle, Lead
from privacy.erase import finish_pending, new_pseudonym
from privacy.settings import PrivacySettings

log = logging.getLogger(__name__)
MEDIA_DETAIL_KEYS = ("voice_note_media_id", "media_id", "photo_media_id")


@dataclass
class RetentionReport:
    conversations: int = 0
    conversation_events: int = 0
    vehicles: int = 0
    failed_sends: int = 0
    leads_media_cleared: int = 0
    leads_anonymised: int = 0
    inbox_messages: int = 0
    erasures_finished: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def apply_retention(
    settings: PrivacySettings, catalog: Engine, tracker: Engine | None, now: datetime | None = None
) -> RetentionReport:
    now = now or datetime.now(timezone.utc)
    report = RetentionReport()
    report.erasures_finished = finish_pending(catalog, tracker, idle_seconds=settings.erase_idle_seconds)
    _old_conversations(tracker, now - timedelta(days=settings.conversation_days), report)
    _old_catalog_rows(catalog, settings, now, report)
    _old_connector_rows(catalog, settings, now, report)
    log.info("retention applied: %s", report.to_dict())
    return report


def _old_conversations(tracker: Engine | None, cutoff: datetime, report: RetentionReport) -> None:
    if tracker is None:
        return
    with tracker.begin() as conn:
        if "events" not in inspect(conn).get_table_names():
            return
        stale = [
            r[0]
            for r in conn.execute(
                text("SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < :t"),
                {"t": cutoff.timestamp()},
            )
        ]
        for sender in stale:
            report.conversation_events += conn.execute(
                text("DELETE FROM events WHERE sender_id = :s"), {"s": sender}
            ).rowcount
        report.conversations = len(stale)


def _old_catalog_rows(catalog: Engine, s: PrivacySettings, now: datetime, report: RetentionReport) -> None:
    vehicles, leads = CustomerVehicle.__table__, Lead.__table__
    vehicle_cutoff = now - timedelta(days=s.conversation_days)
    with catalog.begin() as conn:
        last_used = vehicles.c.last_used_at
        report.vehicles = conn.execute(
            delete(vehicles).where(
                ((last_used.is_not(None)) & (last_used < vehicle_cutoff))
                | ((last_used.is_(None)) & (vehicles.c.created_at < vehicle_cutoff))
            )
        ).rowcount
        media_cutoff = now - timedelta(days=s.media_days)
        rows = conn.execute(
            select(leads.c.id, leads.c.details).where(
                leads.c.created_at < media_cutoff, leads.c.details.is_not(None)
            )
        ).all()
        for lead_id, details in rows:
            if isinstance(details, dict) and any(k in details for k in MEDIA_DETAIL_KEYS):
                kept = {k: v for k, v in details.items() if k not in MEDIA_DETAIL_KEYS}
                conn.execute(update(leads).where(leads.c.id == lead_id).values(details=kept or None))
                report.leads_media_cleared += 1
        personal_cutoff = now - timedelta(days=s.lead_personal_days)
        old = conn.execute(
            select(leads.c.id, leads.c.channel_user_id).where(
                leads.c.created_at < personal_cutoff, ~leads.c.channel_user_id.like("erased-%")
            )
        ).all()
        pseudonyms: dict[str, str] = {}
        for lead_id, who in old:
            alias = pseudonyms.setdefault(who, new_pseudonym())
            conn.execute(
                update(leads)
                .where(leads.c.id == lead_id)
                .values(
                    channel_user_id=alias, conversation_id=alias, customer_id=None,
                    customer_name=None, vin=None, details=None, source_key=None,
                )
            )  # fmt: skip
        report.leads_anonymised = len(old)
        # customers left with nothing (no lead, no vehicle, no conversation worth keeping)
        customers = Customer.__table__
        conn.execute(
            delete(customers).where(
                customers.c.created_at < vehicle_cutoff,
                ~customers.c.id.in_(select(vehicles.c.customer_id)),
                ~customers.c.channel_user_id.in_(select(leads.c.channel_user_id)),
                customers.c.handoff_active.is_(False),
            )
        )


def _old_connector_rows(catalog: Engine, s: PrivacySettings, now: datetime, report: RetentionReport) -> None:
    with catalog.begin() as conn:
        tables = set(inspect(conn).get_table_names())
        if "whatsapp_failed_sends" in tables:
            report.failed_sends = conn.execute(
                text("DELETE FROM whatsapp_failed_sends WHERE created_at < :t"),
                {"t": now - timedelta(days=s.conversation_days)},
            ).rowcount
        if "whatsapp_inbox" in tables:
            cutoff = now - timedelta(days=s.inbox_days)
            if "whatsapp_inbox_sends" in tables:
                conn.execute(
                    text(
                        "DELETE FROM whatsapp_inbox_sends WHERE message_id IN (SELECT message_id FROM "
                        "whatsapp_inbox WHERE state IN ('done', 'failed') AND received_at < :t)"
                    ),
                    {"t": cutoff},
                )
            report.inbox_messages = conn.execute(
                text("DELETE FROM whatsapp_inbox WHERE state IN ('done', 'failed') AND received_at < :t"),
                {"t": cutoff},
            ).rowcount
