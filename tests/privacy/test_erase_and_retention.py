"""A customer's data erased through the staff CLI, and the retention limits, on real databases.

The catalog database is SQLite and PostgreSQL (migrated to head); the conversation is written
by Rasa's own SQLTrackerStore, as the Rasa server writes it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select, text, update
from typer.testing import CliRunner

from catalog.leads import LeadDraft, record_lead, save_customer_vehicle
from catalog.migrate import upgrade_database
from catalog.schema import Customer, CustomerVehicle, Lead, PrivacyErasure, StaffMessage
from catalog_loader.cli import app
from connectors.whatsapp.tables import metadata as connector_tables
from privacy.erase import erase_customer, finish_pending
from privacy.retention import apply_retention
from privacy.settings import PrivacySettings
from shopkernel.db import create_missing_tables, make_engine, make_session_factory, session_scope

ALI, SARA = "971501112233", "971504445566"


def _conversation(store: SQLTrackerStore, sender: str, text_: str, at: float | None = None) -> None:
    events = [UserUttered(text_, message_id=f"wamid.{sender}"), BotUttered("Which model?")]
    if at is not None:
        for event in events:
            event.timestamp = at
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


@pytest.fixture
def shop(database_url, tmp_path, monkeypatch):
    upgrade_database(database_url)
    catalog = make_engine(database_url)
    create_missing_tables(connector_tables, catalog)  # the connector shares the database
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    for who, said in ((ALI, "brake pads for my land cruiser, VIN JTMHV05J604012345"), (SARA, "oil filter")):
        _conversation(store, who, said, at=datetime.now(timezone.utc).timestamp() - 60)
        with session_scope(make_session_factory(catalog)) as session:
            save_customer_vehicle(session, who, make="Toyota", model="Land Cruiser", year=2015)
            record_lead(
                session,
                LeadDraft(
                    channel_user_id=who, conversation_id=who, kind="quote", customer_name=f"name of {who}",
                    vin="JTMHV05J604012345", sku="TOY-BP-0001", price_aed=Decimal("385"),
                    details={"last_message": said, "voice_note_media_id": "MEDIA123"},
                    source_key=f"quote:wamid.{who}",
                ),
            )  # fmt: skip
            session.add(
                StaffMessage(
                    conversation_id=who, recipient=who, agent="Omar", body=f"hi {who}", status="sent"
                )
            )
    with catalog.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO whatsapp_failed_sends (source, recipient, error_title, error_details, "
                "attempts, created_at) VALUES ('send', :r, 'x', '', 1, :t)"
            ),
            {"r": ALI, "t": datetime.now(timezone.utc)},
        )
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_DB_URL", tracker_url)
    yield catalog, make_engine(tracker_url)
    catalog.dispose()


def _events(tracker, sender: str) -> int:
    with tracker.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar()


def test_staff_erase_removes_one_customer_and_leaves_the_others(shop):
    catalog, tracker = shop
    result = CliRunner().invoke(app, ["privacy", "erase", ALI, "--by", "Omar", "--yes"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["leads_anonymised"] == 1 and report["vehicles"] == 1 and report["conversation_events"] > 0

    assert _events(tracker, ALI) == 0 and _events(tracker, SARA) > 0
    with session_scope(make_session_factory(catalog)) as session:
        assert session.scalar(select(Customer).where(Customer.channel_user_id == ALI)) is None
        assert session.scalar(select(Customer).where(Customer.channel_user_id == SARA)) is not None
        assert len(session.scalars(select(CustomerVehicle)).all()) == 1  # Sara's
        erased = session.scalar(select(Lead).where(Lead.channel_user_id == report["pseudonym"]))
        assert (erased.customer_name, erased.vin, erased.details) == (None, None, None)
        assert (erased.sku, erased.price_aed) == ("TOY-BP-0001", Decimal("385.00"))  # the sale stays
        kept = session.scalar(select(Lead).where(Lead.channel_user_id == SARA))
        assert kept.customer_name == f"name of {SARA}" and kept.details["voice_note_media_id"] == "MEDIA123"
        staff = session.scalars(select(StaffMessage).order_by(StaffMessage.id)).all()
        assert [m.body for m in staff] == ["[erased at the customer's request]", f"hi {SARA}"]
        audit = session.scalars(select(PrivacyErasure)).one()
        assert audit.completed_at is not None and audit.conversation_id is None  # nothing names Ali now
        assert audit.requested_by == "staff:Omar"
    with catalog.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM whatsapp_failed_sends")).scalar() == 0
    dump = "\n".join(str(r) for r in _all_rows(catalog))
    assert ALI not in dump and "JTMHV05J604012345" in dump  # Sara's VIN remains; no trace of Ali's number


def _all_rows(engine):
    with engine.connect() as conn:
        for table in ("customers", "customer_vehicles", "leads", "staff_messages", "privacy_erasures"):
            yield from conn.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names


def test_erase_refuses_without_confirmation(shop):
    result = CliRunner().invoke(app, ["privacy", "erase", ALI, "--by", "Omar"], input="n\n")
    assert result.exit_code == 2
    assert _events(shop[1], ALI) > 0


def test_request_inside_a_turn_waits_until_the_conversation_is_idle(shop):
    catalog, tracker = shop
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker.url.database))
    _conversation(store, "971507778899", "delete my data")  # a turn happening now
    report = erase_customer(catalog, tracker, "971507778899", "customer", conversation_now=False)
    assert report.conversation_events is None
    assert finish_pending(catalog, tracker, idle_seconds=30) == 0  # still "busy"
    assert _events(tracker, "971507778899") > 0
    assert finish_pending(catalog, tracker, idle_seconds=0) == 1
    assert _events(tracker, "971507778899") == 0


def test_retention_ages_out_conversations_media_ids_and_personal_fields(shop):
    catalog, tracker = shop
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tracker.url.database))
    old = datetime.now(timezone.utc) - timedelta(days=200)
    _conversation(store, "971500000001", "old chat", at=old.timestamp())
    with catalog.begin() as conn:
        conn.execute(update(Lead.__table__).where(Lead.__table__.c.channel_user_id == SARA).values(
            created_at=datetime.now(timezone.utc) - timedelta(days=40)))  # fmt: skip
    settings = PrivacySettings(database_url="", tracker_db_url="", conversation_days=180, media_days=30)
    report = apply_retention(settings, catalog, tracker)
    assert report.conversations == 1 and _events(tracker, "971500000001") == 0 and _events(tracker, ALI) > 0
    assert report.leads_media_cleared == 1 and report.leads_anonymised == 0
    with session_scope(make_session_factory(catalog)) as session:
        sara = session.scalar(select(Lead).where(Lead.channel_user_id == SARA))
        assert "voice_note_media_id" not in sara.details and sara.details["last_message"] == "oil filter"

    later = datetime.now(timezone.utc) + timedelta(days=731)
    report = apply_retention(settings, catalog, tracker, now=later)
    assert report.leads_anonymised == 2
    with session_scope(make_session_factory(catalog)) as session:
        assert all(lead.channel_user_id.startswith("erased-") for lead in session.scalars(select(Lead)))


def test_bad_retention_setting_is_refused_with_its_name(monkeypatch):
    monkeypatch.setenv("RETENTION_MEDIA_DAYS", "thirty")
    result = CliRunner().invoke(app, ["privacy", "retention"])
    assert result.exit_code == 2 and "RETENTION_MEDIA_DAYS" in result.output


@pytest.mark.parametrize("command", [["erase", ALI, "--by", "Omar", "--yes"], ["retention"], ["pending"]])
def test_every_privacy_command_says_the_database_is_down_without_a_traceback(command, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path}/tracker.db")
    result = CliRunner().invoke(app, ["privacy", *command])
    assert result.exit_code == 4, result.output
    assert "database not usable" in result.output
    assert "Traceback" not in result.output
