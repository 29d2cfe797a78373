"""The connector's own tables (its own MetaData; created with checkfirst at start-up).

Kept apart from catalog/schema.py on purpose: the connector shares the database
file/server but not the domain's schema or code.
"""

from __future__ import annotations

from pathlib import Path

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
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

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


def make_engine(database_url: str) -> Engine:
    """Like catalog.db.make_engine (WAL for SQLite) without importing the domain."""
    kwargs: dict = {"future": True}
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
    engine = create_engine(database_url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 (DB-API objects)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def create_tables(engine: Engine, attempts: int = 3) -> None:
    """Create the connector's tables if missing; safe when several instances start at once.

    Two processes checking "does the table exist?" at the same moment both try CREATE TABLE;
    the loser gets a duplicate error (PostgreSQL: on pg_type). Checking again then finds it.
    """
    for attempt in range(1, attempts + 1):
        try:
            metadata.create_all(engine, checkfirst=True)
            return
        except (IntegrityError, ProgrammingError, OperationalError):
            if attempt == attempts:
                raise


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
