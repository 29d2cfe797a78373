"""The staff side of a lead: finding leads, the sales workflow, notes, assignment, history.

new → contacted → quoted → won / lost (lost needs a reason). Every change is written to
``lead_events`` with who made it, so the lead page can show its history. Plain Python: the
console calls these; so could a CLI or the public API. Functions flush, the caller commits.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from catalog.leads import LeadError
from catalog.normalize import normalize_part_number
from catalog.schema import LEAD_KINDS, LEAD_STATUSES, Customer, Lead, LeadEvent, Part

# Which status may follow which. Skipping ahead is allowed (a customer may buy at once);
# a won or lost lead can be reopened.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("contacted", "quoted", "won", "lost"),
    "contacted": ("quoted", "won", "lost"),
    "quoted": ("contacted", "won", "lost"),
    "won": ("quoted",),
    "lost": ("contacted",),
}
MAX_NOTE = 2000
MAX_REASON = 255
PAGE_SIZE = 50
EXPORT_LIMIT = 20000


@dataclass
class LeadFilter:
    """The inbox filters; every field optional. ``q`` is a phone number or a part number."""

    status: str | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    make: str | None = None
    assigned_to: str | None = None  # a username, or "-" for unassigned
    q: str | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: dict[str, str]) -> LeadFilter:
        """Build from query parameters; bad values are dropped and reported in ``errors``."""
        f = cls()
        status = (params.get("status") or "").strip()
        if status:
            if status in LEAD_STATUSES:
                f.status = status
            else:
                f.errors["status"] = status
        kind = (params.get("kind") or "").strip()
        if kind:
            if kind in LEAD_KINDS:
                f.kind = kind
            else:
                f.errors["kind"] = kind
        for name in ("date_from", "date_to"):
            raw = (params.get(name) or "").strip()
            if raw:
                try:
                    setattr(f, name, date.fromisoformat(raw))
                except ValueError:
                    f.errors[name] = raw
        f.make = " ".join((params.get("make") or "").split())[:64] or None
        f.assigned_to = (params.get("assigned_to") or "").strip()[:32] or None
        f.q = " ".join((params.get("q") or "").split())[:64] or None
        return f

    def as_params(self) -> dict[str, str]:
        """The active filters as query parameters (for links and the CSV export)."""
        values = {
            "status": self.status,
            "kind": self.kind,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "make": self.make,
            "assigned_to": self.assigned_to,
            "q": self.q,
        }
        return {k: v for k, v in values.items() if v}


def _filtered(f: LeadFilter):  # noqa: ANN202 - a SQLAlchemy Select
    stmt = select(Lead).outerjoin(Customer, Customer.id == Lead.customer_id)
    if f.status:
        stmt = stmt.where(Lead.status == f.status)
    if f.kind:
        stmt = stmt.where(Lead.kind == f.kind)
    if f.date_from:
        stmt = stmt.where(Lead.created_at >= _start_of(f.date_from))
    if f.date_to:
        stmt = stmt.where(Lead.created_at < _start_of(f.date_to + timedelta(days=1)))
    if f.make:
        stmt = stmt.where(func.lower(Lead.make) == f.make.lower())
    if f.assigned_to == "-":
        stmt = stmt.where(Lead.assigned_to.is_(None))
    elif f.assigned_to:
        stmt = stmt.where(Lead.assigned_to == f.assigned_to.lower())
    if f.q:
        stmt = stmt.where(_search(f.q))
    return stmt


def _search(q: str):  # noqa: ANN202 - a SQL expression
    """Phone digits match the customer's number; anything else the part number, sku or request."""
    conditions = []
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4 and len(digits) >= len(re.sub(r"[\s+\-()]", "", q)):
        conditions += [Lead.channel_user_id.contains(digits), Customer.phone.contains(digits)]
    norm = normalize_part_number(q)
    like = f"%{q.lower()}%"
    conditions += [func.lower(Lead.sku).like(like), func.lower(Lead.part_query).like(like)]
    if norm:
        numbers = select(Part.id).where(Part.part_number_norm.contains(norm))
        conditions.append(Lead.part_id.in_(numbers))
        conditions.append(func.lower(Lead.sku).like(f"%{norm.lower()}%"))
    return or_(*conditions)


def find_leads(
    session: Session, f: LeadFilter, limit: int = PAGE_SIZE, offset: int = 0
) -> tuple[list[Lead], int]:
    """One page of leads, new ones first then newest first; and how many match in all."""
    base = _filtered(f)
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    new_first = (Lead.status != "new").asc()
    stmt = base.order_by(new_first, Lead.created_at.desc(), Lead.id.desc()).limit(limit).offset(offset)
    return list(session.execute(stmt).scalars()), int(total)


def count_new(session: Session) -> int:
    return int(session.execute(select(func.count()).where(Lead.status == "new")).scalar_one())


def latest_lead_id(session: Session) -> int:
    return int(session.execute(select(func.coalesce(func.max(Lead.id), 0))).scalar_one())


def leads_after(session: Session, lead_id: int, limit: int = 20) -> list[Lead]:
    """Leads created after ``lead_id`` (the console's new-lead signal), oldest first."""
    stmt = select(Lead).where(Lead.id > lead_id).order_by(Lead.id).limit(limit)
    return list(session.execute(stmt).scalars())


def known_makes(session: Session) -> list[str]:
    stmt = select(Lead.make).where(Lead.make.is_not(None)).distinct().order_by(Lead.make)
    return [m for m in session.execute(stmt).scalars() if m]


def get_lead(session: Session, lead_id: int) -> Lead | None:
    stmt = select(Lead).where(Lead.id == lead_id).options(selectinload(Lead.events))
    return session.execute(stmt).scalar_one_or_none()


# --------------------------------------------------------------------------- changes
def change_status(
    session: Session, lead: Lead, status: str, actor: str, reason: str | None = None
) -> LeadEvent:
    """Move the lead along the workflow; ``lost`` needs a reason. Raises :class:`LeadError`."""
    if status not in LEAD_STATUSES:
        raise LeadError(f"status must be one of {', '.join(LEAD_STATUSES)}, got {status!r}")
    if status == lead.status:
        raise LeadError(f"the lead is already {status}")
    if status not in TRANSITIONS.get(lead.status, ()):
        raise LeadError(f"a {lead.status} lead cannot become {status}")
    reason = " ".join((reason or "").split())
    if status == "lost" and not reason:
        raise LeadError("say why the lead was lost")
    if len(reason) > MAX_REASON:
        raise LeadError(f"the reason is longer than {MAX_REASON} characters")
    event = _event(lead, actor, "status", lead.status, status, reason or None)
    lead.status = status
    lead.lost_reason = reason if status == "lost" else None
    lead.status_changed_at = event.at
    lead.updated_at = event.at
    session.flush()
    return event


def mark_contacted(session: Session, channel_user_id: str, actor: str) -> list[Lead]:
    """A staff member wrote to the customer: their new leads become contacted (and theirs).

    Called after a console reply reached WhatsApp, so the inbox stops showing the customer as
    untouched and nobody else picks the same lead up. Leads already further along are left alone.
    """
    leads = session.execute(
        select(Lead).where(Lead.channel_user_id == channel_user_id, Lead.status == "new")
    ).scalars().all()
    for lead in leads:
        change_status(session, lead, "contacted", actor)
        if lead.assigned_to is None:
            assign(session, lead, actor, actor)
    return list(leads)


def add_note(session: Session, lead: Lead, actor: str, text: str) -> LeadEvent:
    text = (text or "").strip()
    if not text:
        raise LeadError("the note is empty")
    if len(text) > MAX_NOTE:
        raise LeadError(f"the note is longer than {MAX_NOTE} characters ({len(text)})")
    event = _event(lead, actor, "note", None, None, text)
    lead.updated_at = event.at
    session.flush()
    return event


def assign(session: Session, lead: Lead, actor: str, username: str | None) -> LeadEvent:
    """Give the lead to a staff member (by username) or to nobody (``None``)."""
    username = (username or "").strip().lower() or None
    if username == lead.assigned_to:
        raise LeadError("the lead is already assigned to them" if username else "the lead is not assigned")
    event = _event(lead, actor, "assign", lead.assigned_to, username, None)
    lead.assigned_to = username
    lead.updated_at = event.at
    session.flush()
    return event


def _event(
    lead: Lead, actor: str, kind: str, old: str | None, new: str | None, text: str | None
) -> LeadEvent:
    event = LeadEvent(
        actor=(actor or "?")[:32], kind=kind, old_value=old, new_value=new, text=text,
        at=datetime.now(timezone.utc),
    )
    lead.events.append(event)
    return event


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


# --------------------------------------------------------------------------- export
EXPORT_COLUMNS = (
    "id", "created_at", "status", "kind", "customer_name", "phone", "make", "model", "year", "vin",
    "part_query", "sku", "price_aed", "assigned_to", "lost_reason",
)


def export_csv(session: Session, f: LeadFilter) -> str:
    """The filtered leads as CSV text with a UTF-8 BOM, so Excel shows Arabic names correctly.

    Cells starting with ``= + - @`` are prefixed with ``'`` so a spreadsheet never runs a
    formula a customer typed.
    """
    leads, _ = find_leads(session, f, limit=EXPORT_LIMIT)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for lead in leads:
        writer.writerow([_cell(v) for v in _export_row(lead)])
    return out.getvalue()


def _export_row(lead: Lead) -> list:
    return [
        lead.id, lead.created_at.isoformat() if lead.created_at else "", lead.status, lead.kind,
        lead.customer_name, lead.channel_user_id, lead.make, lead.model, lead.year, lead.vin,
        lead.part_query, lead.sku, lead.price_aed, lead.assigned_to, lead.lost_reason,
    ]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


__all__ = [
    "LeadFilter",
    "TRANSITIONS",
    "add_note",
    "assign",
    "change_status",
    "count_new",
    "export_csv",
    "find_leads",
    "get_lead",
    "known_makes",
    "latest_lead_id",
    "leads_after",
]
