"""Leads that could not be written because the database was down, kept on local disk.

Used by the action server (spooling) and the staff CLI (``leads flush-spool``); plain Python.

One JSON object per line in ``LEAD_SPOOL_PATH`` (default ``var/spool/leads.jsonl``). The next
successful lead write, or ``python -m catalog_loader leads flush-spool``, moves them into the
``leads`` table. Nothing is ever dropped: a line that still fails stays in the file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from catalog.leads import LeadDraft, record_lead, set_handoff
from shopkernel.db import session_scope

log = logging.getLogger(__name__)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class LeadSpool:
    """Append-only JSON-lines file of lead drafts waiting for the database."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, draft: Any, reason: str) -> None:
        """Keep a :class:`catalog.leads.LeadDraft` (or a plain dict) for a later retry."""
        record = dataclasses.asdict(draft) if dataclasses.is_dataclass(draft) else dict(draft)
        line = json.dumps(
            {"draft": record, "reason": reason, "spooled_at": datetime.now(timezone.utc).isoformat()},
            default=_json_default,
            ensure_ascii=False,
        )
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())

    def pending(self) -> list[dict]:
        """The spooled records, oldest first (unreadable lines are kept but not returned)."""
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return records

    def flush(self, write: Any) -> tuple[int, int]:
        """Call ``write(draft_dict)`` for every spooled lead; keep the ones that fail.

        Returns (written, still_pending). ``write`` raises to signal failure.
        """
        with self._lock:
            if not self.path.exists():
                return 0, 0
            lines = [ln for ln in self.path.read_text(encoding="utf-8").splitlines() if ln.strip()]
            kept: list[str] = []
            written = 0
            for line in lines:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    kept.append(line)  # never drop what a person may still read
                    continue
                try:
                    write(record["draft"])
                    written += 1
                except Exception as exc:  # noqa: BLE001 - any failure keeps the line for next time
                    log.warning("spooled lead still not written: %s", type(exc).__name__)
                    kept.append(line)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
            tmp.replace(self.path)
            return written, len(kept)


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
