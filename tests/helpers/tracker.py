"""Write real Rasa conversations into a SQL tracker store, for console tests.

Uses Rasa's own ``SQLTrackerStore`` and event classes, so the rows are exactly what the Rasa
server writes (``events`` table, JSON ``data``). Quicker than driving a conversation through
the servers when a test only needs a transcript to read::

    save_conversation(f"sqlite:///{path}", "971501234567", [
        customer("ابي فحمات لاندكروزر 2015"),
        bot("Which one?", buttons=["Toyota Genuine"]),
    ])
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import make_url


def customer(
    text: str, *, intent: str = "ask_part", metadata: dict[str, Any] | None = None, at: float | None = None
):  # noqa: ANN201
    from rasa.shared.core.events import UserUttered

    intent_data = {"name": intent, "confidence": 0.9}
    return UserUttered(text, intent=intent_data, metadata=metadata or {}, timestamp=at)


def bot(text: str = "", *, buttons: list[str] | None = None, custom: dict | None = None,
        metadata: dict[str, Any] | None = None, at: float | None = None):  # noqa: ANN201
    from rasa.shared.core.events import BotUttered

    data: dict[str, Any] = {}
    if buttons:
        data["buttons"] = [{"title": b, "payload": f"/choose_{i}"} for i, b in enumerate(buttons, 1)]
    if custom:
        data["custom"] = custom
    return BotUttered(text, data=data, metadata=metadata or {}, timestamp=at)


def slot(name: str, value: Any, at: float | None = None):  # noqa: ANN201
    from rasa.shared.core.events import SlotSet

    return SlotSet(name, value, timestamp=at)


def save_conversation(tracker_url: str, sender_id: str, events: list) -> None:
    """Append ``events`` to ``sender_id``'s conversation in the tracker store at ``tracker_url``."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    url = make_url(tracker_url)
    if url.get_backend_name() == "sqlite":
        store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=url.database)
    else:
        store = SQLTrackerStore(
            Domain.empty(), dialect="postgresql", host=url.host, port=url.port, db=url.database,
            username=url.username, password=url.password,
        )
    async def append() -> None:
        tracker = await store.retrieve(sender_id) or DialogueStateTracker(sender_id, slots=[])
        now = time.time()
        for n, event in enumerate(events):
            if event.timestamp is None:
                event.timestamp = now + n * 0.001
            tracker.update(event)
        await store.save(tracker)

    try:  # in a thread of its own: Playwright's sync API keeps an event loop running in this one
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, append()).result()
    finally:
        store.engine.dispose()
