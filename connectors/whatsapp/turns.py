"""Replies of one turn, numbered, so that a re-driven turn does not send them twice.

A turn that was cut (SIGKILL, OOM, deploy) runs again from the start on another instance.
Every reply it produces gets its position in the turn; when an earlier attempt already sent
the same message object at the same position (same sha256 digest), it is skipped. A reply
that differs (the catalog changed in between) is sent: the customer sees the newer answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from connectors.whatsapp.inbox import Inbox
from connectors.whatsapp.output import MessageSender
from shopkernel.masking import mask_phone

logger = logging.getLogger(__name__)


def digest(recipient_id: str, message: dict[str, Any]) -> str:
    canonical = json.dumps([recipient_id, message], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class TurnSender:
    """A :class:`MessageSender` for one inbound message: numbers, records and de-duplicates sends."""

    def __init__(
        self, sender: MessageSender, inbox: Inbox, message_id: str, already_sent: dict[int, str]
    ) -> None:
        self._sender = sender
        self._inbox = inbox
        self._message_id = message_id
        self._already_sent = already_sent
        self._seq = 0
        self.skipped = 0
        self.aliases = sender.aliases
        self.settings = sender.settings

    async def send(self, recipient_id: str, message: dict[str, Any]) -> str | None:
        self._seq += 1
        seq, key = self._seq, digest(recipient_id, message)
        if self._already_sent.get(seq) == key:
            self.skipped += 1
            logger.info(
                "Reply %d to %s for %s was sent by an earlier attempt; not sent again",
                seq, mask_phone(recipient_id), self._message_id,
            )  # fmt: skip
            return None
        wamid = await self._sender.send(recipient_id, message)
        try:
            await self._inbox.record_send(self._message_id, seq, key, wamid)
        except Exception:  # noqa: BLE001 - the reply is out; only a later re-drive could repeat it
            logger.warning("Could not record reply %d for %s", seq, self._message_id, exc_info=True)
        return wamid

    async def fit_ids(self, choices: list, limit: int) -> list:
        return await self._sender.fit_ids(choices, limit)

    async def mark_read(self, message_id: str) -> None:
        await self._sender.mark_read(message_id)
