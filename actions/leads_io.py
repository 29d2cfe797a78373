"""Writing leads from the actions: to the database, or to the spool while it is down."""

from __future__ import annotations

import asyncio
import logging

from actions.runtime import CatalogUnavailable, get_runtime, in_session
from catalog.lead_spool import LeadSpool, flush_spool
from catalog.leads import LeadDraft, LeadError, record_lead, set_handoff
from ops import metrics
from shopkernel.masking import mask_phone

log = logging.getLogger(__name__)


async def save_lead(draft: LeadDraft) -> int | None:
    """The new lead's id, or None when it was spooled because the database is unavailable."""
    runtime = get_runtime()
    try:
        lead_id = await in_session(lambda session: _record(session, draft))
    except CatalogUnavailable as exc:
        log.warning("lead for %s spooled: %s", mask_phone(draft.channel_user_id), exc)
        await asyncio.to_thread(runtime.spool.append, draft, f"database unavailable: {exc}")
        metrics.lead_spooled()
        return None
    except LeadError:
        log.exception("lead for %s rejected by validation; spooled", mask_phone(draft.channel_user_id))
        await asyncio.to_thread(runtime.spool.append, draft, "lead validation failed")
        metrics.lead_spooled()
        return None
    metrics.lead_created(draft.kind)
    if _spool_has_lines(runtime.spool):
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


def _spool_has_lines(spool: LeadSpool) -> bool:
    try:
        return spool.path.stat().st_size > 0
    except FileNotFoundError:
        return False


# Where channels put the customer's display name in the message metadata (WhatsApp: profile name).
_NAME_KEYS = ("customer_name", "profile_name", "name")


def customer_name(metadata: dict | None) -> str | None:
    """The customer's name from the latest message's metadata, if the channel sent one."""
    metadata = metadata or {}
    for key in _NAME_KEYS:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    profile = (
        (metadata.get("whatsapp") or {}).get("profile")
        if isinstance(metadata.get("whatsapp"), dict)
        else None
    )
    if isinstance(profile, dict) and isinstance(profile.get("name"), str) and profile["name"].strip():
        return profile["name"].strip()
    return None


def draft_for(tracker, kind: str, **values) -> LeadDraft:  # noqa: ANN001 - rasa_sdk Tracker
    """A lead draft with the customer and the vehicle/part the conversation has so far."""
    latest = tracker.latest_message or {}
    year = tracker.get_slot("year")
    media = (latest.get("metadata") or {}).get("media")
    details = {
        "language": tracker.get_slot("language"),
        "last_message": latest.get("text"),
        "part_number_asked": tracker.get_slot("part_number"),
        "frame_number": tracker.get_slot("frame_number"),
        # the last message was a voice note's transcript: staff may want to listen to it
        "voice_note_media_id": media.get("id") if isinstance(media, dict) and media.get("voice") else None,
    }
    details.update(values.pop("details", None) or {})
    return LeadDraft(
        channel_user_id=tracker.sender_id,
        conversation_id=tracker.sender_id,
        kind=kind,
        customer_name=customer_name(latest.get("metadata")),
        make=tracker.get_slot("make"),
        model=tracker.get_slot("model"),
        year=int(year) if year and str(year).isdigit() else None,
        vin=tracker.get_slot("vin"),
        part_query=tracker.get_slot("part") or tracker.get_slot("part_number"),
        details={k: v for k, v in details.items() if v is not None},
        source_key=_source_key(kind, latest),
        **values,
    )


def _source_key(kind: str, latest: dict) -> str | None:
    """One lead per kind per customer message, however often the turn runs (docs/production.md)."""
    message_id = (latest.get("metadata") or {}).get("message_id") or latest.get("message_id")
    return f"{kind}:{message_id}" if message_id else None
