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
        if seq in self._already_sent:
            logger.info(
                "Reply %d to %s for %s differs from the earlier attempt's; sending it",
                seq, mask_phone(recipient_id), self._message_id,
            )  # fmt: skip
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


REDRIVE_KEY = "inbox_attempt"  # UserMessage metadata: which attempt of the inbox this turn is
_guard_installed = False


def install_redrive_guard() -> None:
    """Skip a re-driven message Rasa already holds, checked *inside* the per-customer lock.

    The channel checks the tracker before re-driving, but the first attempt may still be
    running (its process lost the database, not its life, and its lease ran out): both then
    queue on Rasa's lock for this customer. Rasa's ``Agent.handle_message`` takes that lock
    before ``MessageProcessor.handle_message``, so a check here sees the tracker the first
    attempt saved. Only re-driven messages (metadata ``inbox_attempt`` > 1) pay for the read.
    """
    global _guard_installed
    if _guard_installed:
        return
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import UserUttered

    original = MessageProcessor.handle_message

    async def handle_message(self: Any, message: Any) -> Any:
        attempt = (message.metadata or {}).get(REDRIVE_KEY) or 1
        if attempt > 1 and message.message_id:
            tracker = await self.tracker_store.retrieve_full_tracker(message.sender_id)
            if tracker is not None and any(
                isinstance(e, UserUttered) and e.message_id == message.message_id for e in tracker.events
            ):
                logger.info("Message %s is already in the conversation; not run again", message.message_id)
                return None
        return await original(self, message)

    MessageProcessor.handle_message = handle_message  # type: ignore[method-assign]
    _guard_installed = True
