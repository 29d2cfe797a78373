"""The live feed: new Rasa events pushed to open console pages (server-sent events).

Why tail the tracker store instead of adding Rasa's SQL event broker: the tracker store already
holds every event, in order, with an increasing row id, and it is what the transcript and the
review tools read. An event broker would write every event a second time — Rasa 3.6's SQL broker
commits once per event, synchronously, inside the Rasa server's event loop, i.e. on the
customer's reply path — and add a second database to configure, back up and keep in step. One
indexed query on the primary key every ``interval`` seconds, shared by every open page of the
process, costs less than that. (At a scale where Kafka or RabbitMQ is used, the broker becomes
the better feed; :class:`LiveFeed` only needs a different ``poll``.)

Ids are allocated when a row is inserted, but with several Rasa servers on PostgreSQL a
transaction holding a lower id can commit after one holding a higher id. The cursor therefore
only moves past an id once it has been seen, or once it has been missing for ``gap_timeout``
seconds (a rolled-back insert leaves a permanent hole).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from webservice.console.conversations.tracker_events import TrackerEvent, TrackerEventReader

log = logging.getLogger(__name__)

Listener = Callable[[list[TrackerEvent]], object]


@dataclass
class GapAwareCursor:
    """Which row ids are settled: every id up to ``low`` was delivered or given up on."""

    low: int = 0
    gap_timeout: float = 5.0
    seen: set[int] = field(default_factory=set)
    gap_since: float | None = None  # when the hole just above ``low`` was first noticed

    def accept(self, rows: list[TrackerEvent], now: float | None = None) -> list[TrackerEvent]:
        """The rows not delivered before; then move ``low`` as far as it safely goes."""
        now = time.monotonic() if now is None else now
        fresh = [row for row in rows if row.row_id > self.low and row.row_id not in self.seen]
        self.seen.update(row.row_id for row in fresh)
        self._advance(now)
        return fresh

    def _advance(self, now: float) -> None:
        while self.seen:
            following = self.low + 1
            if following in self.seen:
                self.seen.discard(following)
                self.low = following
                self.gap_since = None
                continue
            if self.gap_since is None:
                self.gap_since = now
            if now - self.gap_since < self.gap_timeout:
                return
            # The hole (one id or several: a rolled-back turn) never filled: skip all of it.
            log.debug("tracker event ids %d..%d never appeared; moving on", following, min(self.seen) - 1)
            self.low = min(self.seen) - 1
            self.gap_since = None


class Subscription:
    """One open page's stream: the events of one conversation (or of all, for the queue)."""

    def __init__(self, feed: LiveFeed, sender_id: str | None, maxsize: int = 1000) -> None:
        self.feed = feed
        self.sender_id = sender_id
        self.queue: asyncio.Queue[TrackerEvent] = asyncio.Queue(maxsize)
        self.overflowed = False
        self._delivered: set[int] = set()

    def offer(self, events: list[TrackerEvent]) -> None:
        for event in events:
            if self.sender_id is not None and event.sender_id != self.sender_id:
                continue
            if event.row_id in self._delivered:
                continue
            try:
                self.queue.put_nowait(event)
            except asyncio.QueueFull:
                self.overflowed = True  # a stuck page: it reloads instead of missing events
                return
            self._delivered.add(event.row_id)

    async def replay(self, after_id: int) -> None:
        """Events already stored after ``after_id`` (a page reconnecting with Last-Event-ID)."""
        if self.sender_id is None:
            return
        stored = await asyncio.to_thread(self.feed.reader.conversation, self.sender_id, after_id)
        self.offer(stored)

    async def next(self, timeout: float) -> TrackerEvent | None:
        """The next event, or None after ``timeout`` seconds (time for a keep-alive)."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def close(self) -> None:
        self.feed.unsubscribe(self)


class LiveFeed:
    """One poller per process; fans new tracker events out to subscriptions and listeners."""

    def __init__(self, reader: TrackerEventReader, interval: float = 0.3, gap_timeout: float = 5.0) -> None:
        self.reader = reader
        self.interval = interval
        self.cursor = GapAwareCursor(gap_timeout=gap_timeout)
        self.subscriptions: set[Subscription] = set()
        self.listeners: list[Listener] = []
        self.healthy = True
        self._task: asyncio.Task[None] | None = None
        self._positioned = False  # the cursor starts at the newest event once the store answers

    async def start(self) -> None:
        """Begin at the newest stored event: pages load history themselves.

        A tracker store that is down at start-up must not stop the web service (leads, sign-in and
        the rest work without it): the feed then finds its starting point once the store answers.
        """
        try:
            await self._position()
        except Exception:  # noqa: BLE001 - retried by _run
            log.warning("live feed: tracker store not readable at start-up; will retry")
        self._task = asyncio.create_task(self._run(), name="console-live-feed")

    async def _position(self) -> None:
        self.cursor.low = await asyncio.to_thread(self.reader.last_id)
        self._positioned = True

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def subscribe(self, sender_id: str | None) -> Subscription:
        subscription = Subscription(self, sender_id)
        self.subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self.subscriptions.discard(subscription)

    def add_listener(self, listener: Listener) -> None:
        """Called with every batch of new events (e.g. the staff WhatsApp notification)."""
        self.listeners.append(listener)

    async def poll_once(self) -> list[TrackerEvent]:
        rows = await asyncio.to_thread(self.reader.since, self.cursor.low)
        fresh = self.cursor.accept(rows)
        if fresh:
            for subscription in list(self.subscriptions):
                subscription.offer(fresh)
            for listener in self.listeners:
                result = listener(fresh)
                if asyncio.iscoroutine(result):
                    await result
        return fresh

    async def _run(self) -> None:
        while True:
            try:
                if not self._positioned:
                    await self._position()
                await self.poll_once()
                if not self.healthy:
                    log.info("live feed: tracker store readable again")
                self.healthy = True
            except Exception:  # noqa: BLE001 - a database blip must not end live updates
                if self.healthy:
                    log.exception("live feed: could not read the tracker store; retrying")
                self.healthy = False
            await asyncio.sleep(self.interval)


async def stream(subscription: Subscription, keepalive: float = 15.0) -> AsyncIterator[TrackerEvent | None]:
    """Events as they come; None every ``keepalive`` seconds of silence."""
    try:
        while True:
            yield await subscription.next(keepalive)
    finally:
        subscription.close()
