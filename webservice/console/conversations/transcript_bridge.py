"""Feed events and the staff journal as lines of the console's one transcript (console.transcripts).

The live page shows the same transcript as the lead page (``console/_transcript_entry.html``),
plus what never reached Rasa's history: staff messages WhatsApp refused, and those sent while
Rasa was down (until they are written into the conversation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from catalog.schema import StaffMessage
from webservice.console.conversations.tracker_events import TrackerEvent
from webservice.console.transcripts import TranscriptEntry, to_entry


@dataclass(frozen=True)
class JournalLine:
    """A staff message that is not (yet) in Rasa's conversation history."""

    id: str
    at: datetime
    agent: str
    text: str
    failed: bool
    reason: str
    sender: str = "journal"


def entry_from_event(event: TrackerEvent) -> TranscriptEntry | None:
    row = (event.row_id, event.type_name, event.timestamp, event.action_name, json.dumps(event.data))
    return to_entry(row)


def readable_entries(view: Any) -> list[TranscriptEntry | JournalLine]:
    """The conversation's lines in time order, journal lines among them."""
    lines: list[Any] = [e for e in map(entry_from_event, view.events) if e is not None]
    lines += [_journal_line(m) for m in view.journal if m.status == "failed" or m.recorded_at is None]
    return sorted(lines, key=lambda line: line.at)


def _journal_line(message: StaffMessage) -> JournalLine:
    at = message.created_at or datetime.now(timezone.utc)
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return JournalLine(
        id=f"journal-{message.id}",
        at=at,
        agent=message.agent,
        text=message.body,
        failed=message.status != "sent",
        reason=message.error_reason or "",
    )
