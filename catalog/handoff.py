"""Human handoff as staff work it: who is waiting, who took over, what staff sent.

The bot switches handoff on (``catalog.leads.set_handoff`` from ``action_handoff``); the staff
console takes over, answers and hands back. Every staff message is journalled here *before* it
is sent, so what an agent typed survives a refused send, a Rasa outage or a crash. Functions
flush but do not commit: the caller owns the transaction (``shopkernel.db.session_scope``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.leads import LeadError, get_or_create_customer
from catalog.schema import STAFF_MESSAGE_KINDS, Customer, Lead, StaffMessage
from shopkernel.masking import mask_phone

MAX_BODY = 20_000  # far above WhatsApp's 4096 per message: long replies are split when sent


class DuplicateStaffMessage(LeadError):
    """A message with this ``dedup_key`` was already journalled (another process sent it)."""


@dataclass(frozen=True)
class WaitingCustomer:
    """One line of the console's queue."""

    channel_user_id: str
    name: str | None
    lang: str | None
    since: datetime | None
    agent: str | None
    taken_at: datetime | None
    part_query: str | None = None
    vehicle: str | None = None

    @property
    def masked_id(self) -> str:
        return mask_phone(self.channel_user_id)


def waiting_customers(session: Session, limit: int = 200) -> list[WaitingCustomer]:
    """Customers the bot is silent for, longest waiting first, with what they last asked."""
    customers = list(
        session.execute(
            select(Customer)
            .where(Customer.handoff_active.is_(True))
            .order_by(Customer.handoff_since.asc().nulls_last(), Customer.id)
            .limit(limit)
        ).scalars()
    )
    asked = _latest_handoff_requests(session, [c.channel_user_id for c in customers])
    return [
        WaitingCustomer(
            channel_user_id=customer.channel_user_id,
            name=customer.name,
            lang=customer.lang,
            since=_aware(customer.handoff_since),
            agent=customer.handoff_agent,
            taken_at=_aware(customer.handoff_taken_at),
            part_query=asked.get(customer.channel_user_id, (None, None))[0],
            vehicle=asked.get(customer.channel_user_id, (None, None))[1],
        )
        for customer in customers
    ]


def _latest_handoff_requests(session: Session, ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """channel id → (part asked, vehicle) of each customer's latest handoff lead, in one query."""
    if not ids:
        return {}
    latest = (
        select(func.max(Lead.id))
        .where(Lead.channel_user_id.in_(ids), Lead.kind == "handoff")
        .group_by(Lead.channel_user_id)
    )
    rows = session.execute(
        select(Lead.channel_user_id, Lead.part_query, Lead.make, Lead.model, Lead.year).where(
            Lead.id.in_(latest)
        )
    ).all()
    return {
        row.channel_user_id: (
            row.part_query,
            " ".join(str(v) for v in (row.make, row.model, row.year) if v) or None,
        )
        for row in rows
    }


def customer_state(session: Session, channel_user_id: str) -> WaitingCustomer | None:
    """The customer's handoff state and name (None for a conversation with no customer row)."""
    customer = session.execute(
        select(Customer).where(Customer.channel_user_id == channel_user_id)
    ).scalar_one_or_none()
    if customer is None:
        return None
    return WaitingCustomer(
        channel_user_id=customer.channel_user_id,
        name=customer.name,
        lang=customer.lang,
        since=_aware(customer.handoff_since) if customer.handoff_active else None,
        agent=customer.handoff_agent if customer.handoff_active else None,
        taken_at=_aware(customer.handoff_taken_at) if customer.handoff_active else None,
    )


def take_over(session: Session, channel_user_id: str, agent: str) -> None:
    """``agent`` answers this customer now; the bot stays silent (handoff on if it was not)."""
    agent = _agent(agent)
    customer = get_or_create_customer(session, channel_user_id)
    now = datetime.now(timezone.utc)
    if not customer.handoff_active:
        customer.handoff_active = True
        customer.handoff_since = now
    customer.handoff_agent = agent
    customer.handoff_taken_at = now
    session.flush()


def hand_back(session: Session, channel_user_id: str) -> None:
    """The bot answers this customer again."""
    customer = get_or_create_customer(session, channel_user_id)
    customer.handoff_active = False
    customer.handoff_since = None
    customer.handoff_agent = None
    customer.handoff_taken_at = None
    session.flush()


# --------------------------------------------------------------------------- the journal
def start_staff_message(
    session: Session,
    conversation_id: str,
    agent: str,
    kind: str,
    body: str,
    payload: Any = None,
    recipient: str | None = None,
    dedup_key: str | None = None,
) -> StaffMessage:
    """Journal a message about to be sent (status ``sending``); flushed, so ``id`` is set."""
    if kind not in STAFF_MESSAGE_KINDS:
        raise LeadError(f"kind must be one of {', '.join(STAFF_MESSAGE_KINDS)}, got {kind!r}")
    if not isinstance(conversation_id, str) or not conversation_id.strip():
        raise LeadError("conversation_id is empty")
    if not isinstance(body, str) or len(body) > MAX_BODY:
        raise LeadError(f"the message must be text of at most {MAX_BODY} characters")
    message = StaffMessage(
        conversation_id=conversation_id.strip(),
        recipient=(recipient or conversation_id).strip(),
        agent=_agent(agent),
        kind=kind,
        body=body,
        payload=payload,
        status="sending",
        dedup_key=dedup_key,
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError as exc:
        raise DuplicateStaffMessage(f"staff message {dedup_key!r} was already sent") from exc
    return message


def finish_staff_message(
    session: Session,
    message_id: int,
    *,
    wamid: str | None = None,
    error_code: int | None = None,
    error_reason: str | None = None,
    payload: Any = None,
) -> StaffMessage:
    """Record Meta's answer: ``sent`` with its message id, or ``failed`` with its code and reason."""
    message = _get(session, message_id)
    message.status = "sent" if wamid else "failed"
    message.wamid = wamid
    message.error_code = None if wamid else error_code
    message.error_reason = None if wamid else (error_reason or "not sent")
    if payload is not None:
        message.payload = payload
    message.updated_at = datetime.now(timezone.utc)
    session.flush()
    return message


def mark_recorded(session: Session, message_id: int, error: str | None = None) -> None:
    """Written into the Rasa conversation (or, with ``error``, why not yet)."""
    message = _get(session, message_id)
    if error is None:
        message.recorded_at = datetime.now(timezone.utc)
        message.record_error = None
    else:
        message.recorded_at = None  # releases a claim_recording
        message.record_error = error[:2000]
    message.updated_at = datetime.now(timezone.utc)
    session.flush()


def staff_messages(session: Session, conversation_id: str, limit: int = 200) -> list[StaffMessage]:
    """This conversation's journal, oldest first."""
    rows = session.execute(
        select(StaffMessage)
        .where(StaffMessage.conversation_id == conversation_id, StaffMessage.kind != "notify")
        .order_by(StaffMessage.id.desc())
        .limit(limit)
    ).scalars()
    return list(reversed(list(rows)))


def unrecorded_staff_messages(
    session: Session, limit: int = 50, settle_seconds: float = 60.0
) -> list[StaffMessage]:
    """Sent to the customer but not in the Rasa conversation, oldest first.

    Only those whose first recording failed, or that have waited ``settle_seconds`` (a process
    stopped between the send and the recording): a send in progress is left to its own request.
    """
    settled = datetime.now(timezone.utc) - timedelta(seconds=settle_seconds)
    return list(
        session.execute(
            select(StaffMessage)
            .where(
                StaffMessage.status == "sent",
                StaffMessage.recorded_at.is_(None),
                StaffMessage.kind != "notify",
                or_(StaffMessage.record_error.is_not(None), StaffMessage.updated_at < settled),
            )
            .order_by(StaffMessage.id)
            .limit(limit)
        ).scalars()
    )


def claim_recording(session: Session, message_id: int) -> bool:
    """Mark the message as being written into Rasa; False when another process already did.

    One UPDATE guarded by ``recorded_at IS NULL``: of several processes retrying at once, one wins.
    Undo with ``mark_recorded(..., error=...)`` when Rasa refuses.
    """
    result = session.execute(
        update(StaffMessage)
        .where(StaffMessage.id == message_id, StaffMessage.recorded_at.is_(None))
        .values(recorded_at=datetime.now(timezone.utc))
    )
    session.flush()
    return result.rowcount == 1


def _get(session: Session, message_id: int) -> StaffMessage:
    message = session.get(StaffMessage, message_id)
    if message is None:
        raise LeadError(f"no staff message {message_id}")
    return message


def _agent(agent: str) -> str:
    if not isinstance(agent, str) or not agent.strip():
        raise LeadError("the agent's name is empty")
    return agent.strip()[:128]


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
