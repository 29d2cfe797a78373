"""Writing leads from the actions: to the database, or to the spool while it is down."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

from sqlalchemy.orm import sessionmaker

from actions.runtime import CatalogUnavailable, get_runtime, in_session
from actions.spool import LeadSpool
from catalog.db import session_scope
from catalog.leads import LeadDraft, LeadError, mask_id, record_lead, set_handoff

log = logging.getLogger(__name__)


def draft_from_dict(data: dict) -> LeadDraft:
    """Rebuild a spooled draft (prices were stored as text)."""
    values = {k: data.get(k) for k in LeadDraft.__dataclass_fields__ if k in data}
    if values.get("price_aed") is not None:
        values["price_aed"] = Decimal(str(values["price_aed"]))
    return LeadDraft(**values)


def write_lead(session_factory: sessionmaker, draft: LeadDraft) -> int:
    """Store one lead (and, for a handoff, switch the bot off for that customer)."""
    with session_scope(session_factory) as session:
        lead = record_lead(session, draft)
        if draft.kind == "handoff":
            set_handoff(session, draft.channel_user_id, True)
        return lead.id


def flush_spool(session_factory: sessionmaker, spool: LeadSpool) -> tuple[int, int]:
    """Move spooled leads into the database; returns (written, still pending)."""
    return spool.flush(lambda data: write_lead(session_factory, draft_from_dict(data)))


async def save_lead(draft: LeadDraft) -> int | None:
    """The new lead's id, or None when it was spooled because the database is unavailable."""
    runtime = get_runtime()
    try:
        lead_id = await in_session(lambda session: _record(session, draft))
    except CatalogUnavailable as exc:
        log.warning("lead for %s spooled: %s", mask_id(draft.channel_user_id), exc)
        await asyncio.to_thread(runtime.spool.append, draft, f"database unavailable: {exc}")
        return None
    except LeadError:
        log.exception("lead for %s rejected by validation; spooled for staff", mask_id(draft.channel_user_id))
        await asyncio.to_thread(runtime.spool.append, draft, "lead validation failed")
        return None
    if runtime.spool.path.exists():
        try:
            await asyncio.to_thread(flush_spool, runtime.session_factory, runtime.spool)
        except Exception:  # noqa: BLE001 - a failed retry must never cost the customer's reply
            log.exception("spool flush failed")
    return lead_id


def _record(session, draft: LeadDraft) -> int:  # noqa: ANN001 - SQLAlchemy session
    lead = record_lead(session, draft)
    if draft.kind == "handoff":
        set_handoff(session, draft.channel_user_id, True)
    return lead.id
