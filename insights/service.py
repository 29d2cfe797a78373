"""The review's operations in one place, for the console pages and the command line alike."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from insights.annotations import Span
from insights.conversation import Conversation
from insights.corrections import Correction, DomainNames, ReviewedExamples, SaveResult, patch_for
from insights.funnel import LeadRecord, load_leads
from insights.markers import ReviewItem, filter_items, marker_counts, review
from insights.periods import day_bounds
from insights.report import build_table
from insights.settings import InsightsSettings
from insights.store import TrackerStore
from insights.stories import corrections_by_event, write_story
from insights.tables import Table


class NotFound(LookupError):
    """No conversation (or message) with that key."""


@dataclass
class Queue:
    """The review queue: the listed items and the marker counts of the whole window."""

    items: list[ReviewItem]
    counts: dict[str, int]
    total: int
    flagged: int


@dataclass
class Analytics:
    tables: dict[str, Table]
    conversations: int
    notes: list[str] = field(default_factory=list)


class ReviewService:
    """Reads the tracker store, writes reviewed examples and test stories into the project."""

    def __init__(self, settings: InsightsSettings, store: TrackerStore | None = None) -> None:
        self.settings = settings
        self._store = store

    @property
    def store(self) -> TrackerStore:
        if self._store is None:
            self._store = TrackerStore.from_url(self.settings.tracker_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()

    @property
    def examples(self) -> ReviewedExamples:
        domain = DomainNames.load(self.settings.domain_path)
        return ReviewedExamples(self.settings.nlu_dir, domain, self.settings.corrections_log)

    # ---------------------------------------------------------------- review
    def queue(
        self,
        first: date | None = None,
        last: date | None = None,
        marker: str | None = None,
        language: str | None = None,
        include_unflagged: bool = False,
    ) -> Queue:
        """Conversations of the window (shop days, both included), newest first, with counts."""
        since, until = self._window(first, last)
        items = [review(c, self.settings.rules) for c in self.store.conversations(since, until)]
        shown = filter_items(items, marker, language, flagged_only=not include_unflagged)
        shown.sort(key=lambda i: i.conversation.started_at, reverse=True)
        in_language = filter_items(items, None, language, flagged_only=True)
        return Queue(shown, marker_counts(in_language), len(items), sum(1 for i in items if i.flags))

    def item(self, key: str) -> ReviewItem:
        conversation = self.store.conversation(key)
        if conversation is None:
            raise NotFound(f"no conversation {key!r}")
        return review(conversation, self.settings.rules)

    def corrections_of(self, conversation: Conversation) -> dict[int, Correction]:
        return corrections_by_event(self.examples.logged(conversation=conversation.key), conversation)

    def correct(
        self, key: str, event_index: int, intent: str, spans: list[Span], reviewer: str | None = None
    ) -> SaveResult:
        """Save the right reading of one customer message of a conversation."""
        conversation = self.item(key).conversation
        turn = conversation.turn_at(event_index)
        if turn is None:
            raise NotFound(f"conversation {key!r} has no customer message at event {event_index}")
        correction = Correction(turn.text, intent, spans, key, event_index, reviewer, time.time())
        return self.examples.save(correction)

    def save_story(self, key: str, note: str = "") -> Path:
        conversation = self.item(key).conversation
        return write_story(conversation, self.settings.stories_dir, self.corrections_of(conversation), note)

    def patch(self, since: float | None = None) -> str:
        """The logged corrections (since a moment) as a diff of data/nlu/reviewed.yml."""
        examples = self.examples
        return patch_for(examples.logged(since), examples.path, self.settings.root)

    # ---------------------------------------------------------------- analytics
    def analytics(
        self, names: list[str], first: date | None = None, last: date | None = None, grain: str = "day"
    ) -> Analytics:
        since, until = self._window(first, last)
        conversations = self.store.conversations(since, until)
        leads, notes = self._leads(since)
        tables = {
            name: build_table(name, conversations, leads, grain, self.settings.timezone) for name in names
        }
        return Analytics(tables, len(conversations), notes)

    def _leads(self, since: float | None) -> tuple[list[LeadRecord], list[str]]:
        from shopkernel.db import make_engine

        url = self.settings.database_url
        engine = make_engine(url)
        try:
            return load_leads(engine, since), []
        except SQLAlchemyError as exc:
            return [], [f"Leads unavailable ({exc.__class__.__name__}): the lead and won stages show 0."]
        finally:
            engine.dispose()

    def _window(self, first: date | None, last: date | None) -> tuple[float | None, float | None]:
        if first is None and last is None:
            return None, None
        start, end = day_bounds(first or date(1970, 1, 2), last or date(9999, 12, 30), self.settings.timezone)
        return (start if first else None), (end if last else None)
