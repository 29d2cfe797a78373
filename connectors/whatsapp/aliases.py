"""Short ids for button payloads too long for WhatsApp (reply id <= 256, list row id <= 200).

Rasa payloads such as ``/choose_part{"sku": "..."}`` can outgrow the limit; cutting
them would change their meaning, so the long payload is stored under a stable
hash and the customer's tap is translated back before Rasa sees it.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from connectors.whatsapp.tables import payload_aliases

ALIAS_PREFIX = "wa-alias:"


def alias_of(payload: str) -> str:
    return ALIAS_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:40]


class PayloadAliases:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def shorten(self, payload: str) -> str:
        """Store ``payload`` and return its alias (idempotent)."""
        alias = alias_of(payload)
        await asyncio.to_thread(self._store, alias, payload)
        return alias

    def _store(self, alias: str, payload: str) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(payload_aliases).values(
                        alias=alias, payload=payload, created_at=datetime.now(timezone.utc)
                    )
                )
        except IntegrityError:
            pass  # same payload stored before

    async def resolve(self, text: str) -> str | None:
        """The original payload for an alias, or None if ``text`` is not a known alias."""
        if not text.startswith(ALIAS_PREFIX):
            return None
        return await asyncio.to_thread(self._lookup, text)

    def _lookup(self, alias: str) -> str | None:
        with self._engine.connect() as conn:
            return conn.execute(
                select(payload_aliases.c.payload).where(payload_aliases.c.alias == alias)
            ).scalar()
