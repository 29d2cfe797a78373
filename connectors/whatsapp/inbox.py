"""Transactional inbox: a WhatsApp message is stored, with its state, before Meta gets its 200.

    accept ──► pending ──take (lease)──► processing ──finish──► done
                  ▲                          │ crash / OOM / deploy: the lease runs out
                  └────── give_back ◄────────┘ another instance (or this one, restarted) takes it

* ``accept`` inserts the row; the primary key on Meta's wamid is also the dedup claim, so a
  redelivered webhook is recognised across every instance and restart.
* ``take`` is one conditional UPDATE: only one process can hold a message's lease. The holder
  renews it while the turn runs (a slow turn is not stolen); a dead holder stops renewing.
* One customer's messages run in the order they arrived, across instances and crashes: a
  message is not taken while an earlier one of the same customer is unfinished (``take`` answers
  :data:`WAIT`). Why: a turn killed after its replies went out has not saved the conversation;
  the customer, who saw the list, taps a row; run at once, the tap would meet a conversation
  without the list (no lead). It waits for the re-driven earlier turn, and ``next_pending``
  hands it on as soon as that one is finished.
* Replies of a turn are recorded in ``whatsapp_inbox_sends`` (position in the turn + a digest of
  the message object): a re-driven turn skips the replies already sent (see
  :class:`connectors.whatsapp.turns.TurnSender`).

What this cannot make exactly-once is documented in docs/production.md ("What can still
happen twice").
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from connectors.whatsapp.payloads import ErrorInfo, InboundMessage
from connectors.whatsapp.tables import inbox, inbox_sends

logger = logging.getLogger(__name__)

PENDING, PROCESSING, DONE, FAILED = "pending", "processing", "done", "failed"


class InboxUnavailable(RuntimeError):
    """The database could not store or update a message (the webhook answers 503)."""


@dataclass(frozen=True)
class InboxItem:
    """A message this process now holds the lease on, and how many times it was taken."""

    message: InboundMessage
    attempts: int


WAIT = "wait"  # take(): an earlier message of this customer is not finished yet


@dataclass(frozen=True)
class DueMessage:
    message_id: str
    sender_id: str


def process_id() -> str:
    """Unique per process start (a restarted process must not inherit its old leases)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def encode_message(message: InboundMessage) -> str:
    return json.dumps(asdict(message), ensure_ascii=False, separators=(",", ":"))


def decode_message(raw: str) -> InboundMessage:
    data = json.loads(raw)
    data["errors"] = tuple(ErrorInfo(**e) for e in data.get("errors") or ())
    return InboundMessage(**data)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Inbox:
    """The connector's durable queue, shared by every instance through the SQL database."""

    def __init__(self, engine: Engine, lease_seconds: float = 30.0, owner: str | None = None) -> None:
        self._engine = engine
        self.lease = timedelta(seconds=lease_seconds)
        self.owner = owner or process_id()

    # -- the webhook's side ------------------------------------------------------------

    async def accept(self, message: InboundMessage) -> bool:
        """Store a new message; False when this wamid was stored before (a redelivery)."""
        return await asyncio.to_thread(self._accept, message)

    def _accept(self, message: InboundMessage) -> bool:
        row = dict(
            message_id=message.message_id,
            sender_id=message.sender_id,
            message=encode_message(message),
            state=PENDING,
            attempts=0,
            received_at=_now(),
        )
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(inbox).values(**row))
        except IntegrityError:
            return False
        except SQLAlchemyError as exc:
            raise InboxUnavailable(f"inbox unavailable: {type(exc).__name__}") from exc
        return True

    # -- the turn's side ---------------------------------------------------------------

    async def take(self, message_id: str) -> InboxItem | str | None:
        """Hold the lease on a pending (or abandoned) message.

        None if someone else has it or it is done; :data:`WAIT` if an earlier message of the
        same customer is still pending or processing (it stays pending, nothing changes).
        """
        return await asyncio.to_thread(self._take, message_id)

    def _take(self, message_id: str) -> InboxItem | str | None:
        now = _now()
        claimable = or_(
            inbox.c.state == PENDING, and_(inbox.c.state == PROCESSING, inbox.c.lease_until < now)
        )
        with self._engine.begin() as conn:
            if self._earlier_unfinished(conn, message_id):
                return WAIT
            taken = conn.execute(
                update(inbox)
                .where(inbox.c.message_id == message_id, claimable)
                .values(
                    state=PROCESSING,
                    owner=self.owner,
                    lease_until=now + self.lease,
                    attempts=inbox.c.attempts + 1,
                )
            ).rowcount
            if taken != 1:
                return None
            raw, attempts = conn.execute(
                select(inbox.c.message, inbox.c.attempts).where(inbox.c.message_id == message_id)
            ).one()
        return InboxItem(decode_message(raw), attempts)

    @staticmethod
    def _earlier_unfinished(conn, message_id: str) -> bool:  # noqa: ANN001 - a Connection
        mine = select(inbox.c.sender_id, inbox.c.received_at).where(inbox.c.message_id == message_id)
        row = conn.execute(mine).first()
        if row is None:
            return False
        earlier = select(inbox.c.message_id).where(
            inbox.c.sender_id == row.sender_id,
            inbox.c.received_at < row.received_at,
            inbox.c.state.in_((PENDING, PROCESSING)),
        )
        return conn.execute(earlier.limit(1)).first() is not None

    async def next_pending(self, sender_id: str) -> str | None:
        """The customer's oldest message still waiting to be taken (to run it now, not at the next sweep)."""
        return await asyncio.to_thread(self._next_pending, sender_id)

    def _next_pending(self, sender_id: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(inbox.c.message_id)
                .where(inbox.c.sender_id == sender_id, inbox.c.state == PENDING)
                .order_by(inbox.c.received_at)
                .limit(1)
            ).scalar()

    async def renew(self, message_id: str) -> bool:
        """Extend this process's lease; False if it was lost (or the database is away)."""
        try:
            return await asyncio.to_thread(self._renew, message_id)
        except SQLAlchemyError:
            logger.warning("Could not renew the lease on %s", message_id, exc_info=True)
            return False

    def _renew(self, message_id: str) -> bool:
        with self._engine.begin() as conn:
            return (
                conn.execute(
                    update(inbox)
                    .where(inbox.c.message_id == message_id, inbox.c.owner == self.owner)
                    .where(inbox.c.state == PROCESSING)
                    .values(lease_until=_now() + self.lease)
                ).rowcount
                == 1
            )

    async def finish(self, message_id: str, state: str = DONE, error: str | None = None) -> None:
        """Mark the turn complete (or given up); raises :class:`InboxUnavailable`."""
        await asyncio.to_thread(self._set_state, message_id, state, error, None)

    async def give_back(self, message_id: str, error: str, retry_in: float) -> None:
        """The turn failed: let any instance take it again after ``retry_in`` seconds."""
        until = _now() + timedelta(seconds=retry_in)
        await asyncio.to_thread(self._set_state, message_id, PROCESSING, error, until)

    def _set_state(
        self, message_id: str, state: str, error: str | None, lease_until: datetime | None
    ) -> None:
        values: dict = {"state": state, "last_error": error}
        if state in (DONE, FAILED):
            values.update(finished_at=_now(), lease_until=None)
        else:
            values.update(lease_until=lease_until, owner=None)
        try:
            with self._engine.begin() as conn:
                conn.execute(update(inbox).where(inbox.c.message_id == message_id).values(**values))
        except SQLAlchemyError as exc:
            raise InboxUnavailable(f"inbox unavailable: {type(exc).__name__}") from exc

    async def due(self, pending_grace: float, limit: int = 200) -> list[DueMessage]:
        """Messages nobody is working on: abandoned leases, and pending rows older than the grace."""
        return await asyncio.to_thread(self._due, pending_grace, limit)

    def _due(self, pending_grace: float, limit: int) -> list[DueMessage]:
        now = _now()
        stale_pending = and_(
            inbox.c.state == PENDING, inbox.c.received_at < now - timedelta(seconds=pending_grace)
        )
        expired = and_(inbox.c.state == PROCESSING, inbox.c.lease_until < now)
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(inbox.c.message_id, inbox.c.sender_id)
                .where(or_(stale_pending, expired))
                .order_by(inbox.c.received_at)
                .limit(limit)
            ).all()
        return [DueMessage(r.message_id, r.sender_id) for r in rows]

    # -- replies already sent by earlier attempts --------------------------------------

    async def sent(self, message_id: str) -> dict[int, str]:
        """``{position: digest}`` of the replies earlier attempts of this turn sent."""
        return await asyncio.to_thread(self._sent, message_id)

    def _sent(self, message_id: str) -> dict[int, str]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(inbox_sends.c.seq, inbox_sends.c.digest).where(inbox_sends.c.message_id == message_id)
            ).all()
        return {r.seq: r.digest for r in rows}

    async def record_send(self, message_id: str, seq: int, digest: str, wamid: str | None) -> None:
        await asyncio.to_thread(self._record_send, message_id, seq, digest, wamid)

    def _record_send(self, message_id: str, seq: int, digest: str, wamid: str | None) -> None:
        row = dict(message_id=message_id, seq=seq, digest=digest, wamid=wamid, sent_at=_now())
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(inbox_sends).values(**row))
        except IntegrityError:
            with self._engine.begin() as conn:  # a re-driven turn sent a different reply here
                conn.execute(
                    update(inbox_sends)
                    .where(inbox_sends.c.message_id == message_id, inbox_sends.c.seq == seq)
                    .values(digest=digest, wamid=wamid, sent_at=row["sent_at"])
                )

    # -- housekeeping ------------------------------------------------------------------

    def prune(self, older_than: timedelta) -> int:
        """Forget finished messages (and their sends) older than ``older_than``: dedup needs 7 days."""
        cutoff = _now() - older_than
        with self._engine.begin() as conn:
            old = select(inbox.c.message_id).where(
                inbox.c.state.in_((DONE, FAILED)), inbox.c.received_at < cutoff
            )
            conn.execute(delete(inbox_sends).where(inbox_sends.c.message_id.in_(old)))
            return conn.execute(
                delete(inbox).where(inbox.c.state.in_((DONE, FAILED)), inbox.c.received_at < cutoff)
            ).rowcount
