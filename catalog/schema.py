"""The catalog, customer and lead tables (SQLAlchemy 1.4 with the 2.0-style API).

One schema for SQLite and PostgreSQL. Alembic migrations under
``catalog/migrations`` are generated from this metadata; change both together.

Normalised columns (``*_norm``) hold the search keys computed by
:mod:`catalog.normalize` so lookups are plain indexed equality.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import declarative_base, relationship

# Deterministic constraint names so Alembic migrations work on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
Base = declarative_base(metadata=metadata)

CONDITIONS = ("genuine", "oem", "aftermarket", "used")
# The sales workflow staff move a lead along (catalog.lead_workflow): new -> contacted -> quoted ->
# won | lost (with a reason). Statuses written before the console are mapped by migration 0004.
LEAD_STATUSES = ("new", "contacted", "quoted", "won", "lost")
LEGACY_LEAD_STATUSES = {"needs_human": "new", "pending_retry": "new", "closed": "lost"}
# quote: the customer chose an item (or asked while the catalog was down); website: the web form.
LEAD_KINDS = ("quote", "not_found", "handoff", "website")
LEAD_EVENT_KINDS = ("created", "status", "note", "assign")
PART_NUMBER_KINDS = ("oem", "interchange", "supplier", "superseded")
STAFF_MESSAGE_KINDS = ("text", "parts", "template", "notify")
STAFF_MESSAGE_STATUSES = ("sending", "sent", "failed")


def _now():
    return func.now()


# --------------------------------------------------------------------------- vehicles
class Make(Base):
    __tablename__ = "makes"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)  # canonical: "Toyota"
    name_ar = Column(String(64))
    models = relationship("Model", back_populates="make", cascade="all, delete-orphan")
    aliases = relationship("MakeAlias", back_populates="make", cascade="all, delete-orphan")


class MakeAlias(Base):
    """Other ways customers write a make: "toyta", "تويوتا", "tyt"."""

    __tablename__ = "make_aliases"
    id = Column(Integer, primary_key=True)
    make_id = Column(Integer, ForeignKey("makes.id", ondelete="CASCADE"), nullable=False)
    alias = Column(String(64), nullable=False)
    alias_norm = Column(String(64), nullable=False, index=True)
    lang = Column(String(8), nullable=False, default="en")  # en | ar | arabizi
    make = relationship("Make", back_populates="aliases")
    __table_args__ = (UniqueConstraint("make_id", "alias_norm", name="uq_make_aliases_make_alias"),)


class Model(Base):
    __tablename__ = "models"
    id = Column(Integer, primary_key=True)
    make_id = Column(Integer, ForeignKey("makes.id", ondelete="CASCADE"), nullable=False)
    name = Column(String(64), nullable=False)  # canonical: "Land Cruiser"
    name_ar = Column(String(64))
    make = relationship("Make", back_populates="models")
    aliases = relationship("ModelAlias", back_populates="model", cascade="all, delete-orphan")
    __table_args__ = (UniqueConstraint("make_id", "name", name="uq_models_make_name"),)


class ModelAlias(Base):
    """Other ways customers write a model: "landcruiser", "LC200", "لاندكروزر"."""

    __tablename__ = "model_aliases"
    id = Column(Integer, primary_key=True)
    model_id = Column(Integer, ForeignKey("models.id", ondelete="CASCADE"), nullable=False)
    alias = Column(String(64), nullable=False)
    alias_norm = Column(String(64), nullable=False, index=True)
    lang = Column(String(8), nullable=False, default="en")
    model = relationship("Model", back_populates="aliases")
    __table_args__ = (UniqueConstraint("model_id", "alias_norm", name="uq_model_aliases_model_alias"),)


# --------------------------------------------------------------------------- parts
class Category(Base):
    __tablename__ = "categories"
    id = Column(Integer, primary_key=True)
    name = Column(String(64), nullable=False, unique=True)  # canonical: "Brake Pads"
    name_ar = Column(String(64))
    synonyms = relationship("CategorySynonym", back_populates="category", cascade="all, delete-orphan")


class CategorySynonym(Base):
    """Words for a category in English, Arabic and Arabizi: "pads", "فحمات", "fa7mat"."""

    __tablename__ = "category_synonyms"
    id = Column(Integer, primary_key=True)
    category_id = Column(Integer, ForeignKey("categories.id", ondelete="CASCADE"), nullable=False)
    term = Column(String(64), nullable=False)
    term_norm = Column(String(64), nullable=False, index=True)
    lang = Column(String(8), nullable=False, default="en")
    category = relationship("Category", back_populates="synonyms")
    __table_args__ = (
        UniqueConstraint("category_id", "term_norm", name="uq_category_synonyms_category_term"),
    )


class Part(Base):
    __tablename__ = "parts"
    id = Column(Integer, primary_key=True)
    sku = Column(String(64), nullable=False, unique=True)
    name = Column(String(255), nullable=False)
    category_id = Column(Integer, ForeignKey("categories.id"), nullable=False, index=True)
    brand = Column(String(64), nullable=False)
    part_number = Column(String(64), nullable=False)
    part_number_norm = Column(String(64), nullable=False, index=True)
    price_aed = Column(Numeric(12, 2), nullable=False)
    stock = Column(Integer, nullable=False, default=0)
    condition = Column(String(16), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    category = relationship("Category")
    numbers = relationship("PartNumber", back_populates="part", cascade="all, delete-orphan")
    fitments = relationship("Fitment", back_populates="part", cascade="all, delete-orphan")
    __table_args__ = (
        CheckConstraint(f"condition IN {CONDITIONS!r}", name="condition"),
        CheckConstraint("stock >= 0", name="stock_non_negative"),
        CheckConstraint("price_aed >= 0", name="price_non_negative"),
    )


class PartNumber(Base):
    """OEM and interchange numbers of a part (``oem_numbers`` in the CSV)."""

    __tablename__ = "part_numbers"
    id = Column(Integer, primary_key=True)
    part_id = Column(Integer, ForeignKey("parts.id", ondelete="CASCADE"), nullable=False, index=True)
    number = Column(String(64), nullable=False)
    number_norm = Column(String(64), nullable=False, index=True)
    kind = Column(String(16), nullable=False, default="oem")
    part = relationship("Part", back_populates="numbers")
    __table_args__ = (
        UniqueConstraint("part_id", "number_norm", name="uq_part_numbers_part_number"),
        CheckConstraint(f"kind IN {PART_NUMBER_KINDS!r}", name="kind"),
    )


class Fitment(Base):
    """One vehicle range a part fits. ``engine`` NULL means any engine."""

    __tablename__ = "fitments"
    id = Column(Integer, primary_key=True)
    part_id = Column(Integer, ForeignKey("parts.id", ondelete="CASCADE"), nullable=False, index=True)
    make_id = Column(Integer, ForeignKey("makes.id"), nullable=False)
    model_id = Column(Integer, ForeignKey("models.id"), nullable=False)
    year_from = Column(Integer, nullable=False)
    year_to = Column(Integer, nullable=False)
    engine = Column(String(64), nullable=False, default="")  # "" = any engine
    part = relationship("Part", back_populates="fitments")
    make = relationship("Make")
    model = relationship("Model")
    __table_args__ = (
        UniqueConstraint(
            "part_id", "model_id", "year_from", "year_to", "engine", name="uq_fitments_part_vehicle"
        ),
        CheckConstraint("year_from <= year_to", name="year_range"),
        # part_id last: a vehicle's parts come from the index alone (no table reads), which
        # made the main search query ~18 % cheaper on PostgreSQL (docs/api.md, "Measured").
        Index("ix_fitments_vehicle", "model_id", "year_from", "year_to", "part_id"),
    )


# --------------------------------------------------------------------------- customers and leads
class Customer(Base):
    """A WhatsApp customer, keyed by the channel's user id (wa_id or business-scoped id)."""

    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    channel_user_id = Column(String(64), nullable=False, unique=True)
    phone = Column(String(32))
    name = Column(String(128))
    lang = Column(String(8))
    # Human handoff: while set, the bot stays silent for this customer.
    handoff_active = Column(Boolean, nullable=False, default=False)
    handoff_since = Column(DateTime(timezone=True))
    # Who answers the customer while the bot is silent (console "take over"); NULL = still waiting.
    handoff_agent = Column(String(128))
    handoff_taken_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    vehicles = relationship("CustomerVehicle", back_populates="customer", cascade="all, delete-orphan")


class CustomerVehicle(Base):
    __tablename__ = "customer_vehicles"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True)
    vin = Column(String(17))
    frame_number = Column(String(32))
    make = Column(String(64))
    model = Column(String(64))
    year = Column(Integer)
    engine = Column(String(64))
    decoded = Column(JSON)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    customer = relationship("Customer", back_populates="vehicles")
    # When the customer last mentioned this vehicle (catalog.leads.save_customer_vehicle sets it);
    # NULL on rows written before the column existed: created_at is used instead.
    last_used_at = Column(DateTime(timezone=True))


class Lead(Base):
    """A sales lead: what the customer asked for and, when chosen, which item.

    Never deleted by the bot; staff move ``status`` along.
    """

    __tablename__ = "leads"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("customers.id"), index=True)
    channel_user_id = Column(String(64), nullable=False, index=True)
    customer_name = Column(String(128))
    conversation_id = Column(String(128), nullable=False)
    kind = Column(String(16), nullable=False, default="quote")
    status = Column(String(16), nullable=False, default="new", index=True)
    make = Column(String(64))
    model = Column(String(64))
    year = Column(Integer)
    vin = Column(String(32))
    part_query = Column(String(255))
    part_id = Column(Integer, ForeignKey("parts.id", ondelete="SET NULL"))
    sku = Column(String(64))
    price_aed = Column(Numeric(12, 2))
    details = Column(JSON)
    # "<kind>:<message id>": a turn re-driven after a crash finds its lead instead of adding one
    source_key = Column(String(300), unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=_now(), index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    # Staff workflow (catalog.lead_workflow): who owns it (a staff username), why it was lost.
    assigned_to = Column(String(32), index=True)
    lost_reason = Column(String(255))
    status_changed_at = Column(DateTime(timezone=True))
    events = relationship("LeadEvent", back_populates="lead", cascade="all, delete-orphan",
                          order_by="LeadEvent.id")
    __table_args__ = (
        CheckConstraint(f"status IN {LEAD_STATUSES!r}", name="status"),
        CheckConstraint(f"kind IN {LEAD_KINDS!r}", name="kind"),
    )


class LeadEvent(Base):
    """The history of a lead: status changes, notes and assignments, with who and when."""

    __tablename__ = "lead_events"
    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    actor = Column(String(32), nullable=False)  # staff username, or "assistant"
    kind = Column(String(16), nullable=False)
    old_value = Column(String(64))
    new_value = Column(String(64))
    text = Column(Text)
    lead = relationship("Lead", back_populates="events")
    __table_args__ = (CheckConstraint(f"kind IN {LEAD_EVENT_KINDS!r}", name="kind"),)


class VinLookup(Base):
    """Cache of external chassis-lookup answers (vPIC or a commercial provider)."""

    __tablename__ = "vin_lookups"
    vin = Column(String(17), primary_key=True)
    provider = Column(String(32), nullable=False)
    result = Column(JSON, nullable=False)
    fetched_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())


class FrameCode(Base):
    """Japanese frame-number prefixes (``GRJ200``) → make/model hints; staff can extend."""

    __tablename__ = "frame_codes"
    prefix = Column(String(16), primary_key=True)
    make = Column(String(64), nullable=False)
    model = Column(String(64))
    engine = Column(String(64))
    year_from = Column(Integer)
    year_to = Column(Integer)
    note = Column(Text)


class StaffMessage(Base):
    """What a staff member sent (or tried to send) to a customer over WhatsApp, kept whatever happens.

    Written *before* the send, so nothing typed is lost: a send Meta refuses stays ``failed`` with
    Meta's code and reason; one sent while Rasa was down waits (``recorded_at`` NULL) to be
    written into the conversation. ``kind`` notify = a staff alert about a new handoff;
    ``dedup_key`` makes such alerts go out once however many web-service processes see the event.
    """

    __tablename__ = "staff_messages"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)  # Rasa sender id (wa_id)
    recipient = Column(String(64), nullable=False)
    agent = Column(String(128), nullable=False)
    kind = Column(String(16), nullable=False, default="text")
    body = Column(Text, nullable=False, default="")  # what the agent typed or chose, as they wrote it
    payload = Column(JSON)  # the WhatsApp message objects
    status = Column(String(16), nullable=False, default="sending")
    wamid = Column(String(255))
    error_code = Column(Integer)
    error_reason = Column(Text)
    recorded_at = Column(DateTime(timezone=True))  # written into the Rasa conversation
    record_error = Column(Text)
    dedup_key = Column(String(128), unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=_now())
    __table_args__ = (
        CheckConstraint(f"kind IN {STAFF_MESSAGE_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {STAFF_MESSAGE_STATUSES!r}", name="status"),
    )


class PrivacyErasure(Base):
    """One "delete my data" request (customer or staff): the audit trail of what was removed.

    ``conversation_id`` is kept only until Rasa's conversation is deleted too (privacy/erase.py),
    then set to NULL: afterwards nothing here names the customer.
    """

    __tablename__ = "privacy_erasures"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), index=True)
    pseudonym = Column(String(32), nullable=False)
    requested_by = Column(String(64), nullable=False)  # "customer" or "staff:<name>"
    requested_at = Column(DateTime(timezone=True), nullable=False)
    completed_at = Column(DateTime(timezone=True))
    report = Column(JSON)
