"""The connector's own tables (its own MetaData; created with checkfirst at start-up).

Kept apart from catalog/schema.py on purpose: the connector shares the database
file/server but not the domain's schema or code. Engines and the race-safe
``create_missing_tables`` come from :mod:`shopkernel.db`, like everyone else's.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

failed_sends = Table(
    "whatsapp_failed_sends",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(16), nullable=False),  # "send" (synchronous) or "status" (async receipt)
    Column("recipient", String(255), nullable=True),  # full id: staff follow up with the customer
    Column("wamid", String(255), nullable=True),  # our message id, when Meta gave one
    Column("error_code", Integer, nullable=True),
    Column("error_title", Text, nullable=False, default=""),
    Column("error_details", Text, nullable=False, default=""),
    Column("message_type", String(32), nullable=True),
    Column("payload", Text, nullable=True),  # the JSON we tried to send
    Column("attempts", Integer, nullable=False, default=1),
    Column("fallback", String(64), nullable=True),  # e.g. "template:order_update sent"
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    UniqueConstraint("source", "wamid", "error_code", name="uq_whatsapp_failed_status"),
)

payload_aliases = Table(
    "whatsapp_payload_aliases",
    metadata,
    Column("alias", String(64), primary_key=True),  # short id sent to WhatsApp in place of a long payload
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

Index("ix_whatsapp_failed_sends_recipient", failed_sends.c.recipient)


# The transactional inbox (connectors/whatsapp/inbox.py): a message is stored here, with its
# state, before Meta gets its 200; the primary key on Meta's wamid is also the dedup claim.
inbox = Table(
    "whatsapp_inbox",
    metadata,
    Column("message_id", String(255), primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("message", Text, nullable=False),  # the parsed InboundMessage as JSON
    Column("state", String(16), nullable=False),  # pending → processing → done | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("owner", String(128), nullable=True),  # process holding the lease
    Column("lease_until", DateTime(timezone=True), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
)
Index("ix_whatsapp_inbox_due", inbox.c.state, inbox.c.lease_until)
Index("ix_whatsapp_inbox_sender", inbox.c.sender_id)
Index("ix_whatsapp_inbox_received", inbox.c.received_at)

# One row per reply a turn has sent: a re-driven turn skips the replies already sent.
inbox_sends = Table(
    "whatsapp_inbox_sends",
    metadata,
    Column("message_id", String(255), primary_key=True),  # the inbound message the turn answers
    Column("seq", Integer, primary_key=True),  # 1, 2, … in the order the turn sends
    Column("digest", String(64), nullable=False),  # sha256 of the outgoing message object
    Column("wamid", String(255), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)
