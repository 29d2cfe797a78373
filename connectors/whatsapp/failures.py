"""Failed sends kept for staff follow-up (a log line is not enough to call a customer back)."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from connectors.whatsapp.tables import failed_sends

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FailedSend:
    """One message that did not reach a customer, and why."""

    source: str  # "send": the API refused it; "status": a failed delivery receipt
    recipient: str | None
    error_code: int | None
    error_title: str = ""
    error_details: str = ""
    wamid: str | None = None
    message_type: str | None = None
    payload: dict[str, Any] | None = None
    attempts: int = 1
    fallback: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


class FailureStore:
    """SQL table ``whatsapp_failed_sends``; receipts redelivered by Meta are stored once."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def record(self, failure: FailedSend) -> bool:
        """Store a failure; False if this failed receipt was already stored. Never raises."""
        try:
            return await asyncio.to_thread(self._insert, failure)
        except SQLAlchemyError:
            logger.exception("Could not record a failed WhatsApp send (code %s)", failure.error_code)
            return False

    def _insert(self, failure: FailedSend) -> bool:
        row = {
            "source": failure.source,
            "recipient": failure.recipient,
            "wamid": failure.wamid,
            "error_code": failure.error_code,
            "error_title": failure.error_title[:2000],
            "error_details": failure.error_details[:4000],
            "message_type": failure.message_type,
            "payload": json.dumps(failure.payload, ensure_ascii=False)
            if failure.payload is not None
            else None,
            "attempts": failure.attempts,
            "fallback": failure.fallback,
            "created_at": failure.created_at,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(failed_sends).values(**row))
        except IntegrityError:
            return False
        return True

    async def recent(self, limit: int = 100, recipient: str | None = None) -> list[FailedSend]:
        return await asyncio.to_thread(self._recent, limit, recipient)

    def _recent(self, limit: int, recipient: str | None) -> list[FailedSend]:
        query = select(failed_sends).order_by(failed_sends.c.id.desc()).limit(limit)
        if recipient:
            query = query.where(failed_sends.c.recipient == recipient)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            FailedSend(
                source=r["source"],
                recipient=r["recipient"],
                error_code=r["error_code"],
                error_title=r["error_title"],
                error_details=r["error_details"],
                wamid=r["wamid"],
                message_type=r["message_type"],
                payload=json.loads(r["payload"]) if r["payload"] else None,
                attempts=r["attempts"],
                fallback=r["fallback"],
                created_at=r["created_at"],
            )
            for r in rows
        ]
