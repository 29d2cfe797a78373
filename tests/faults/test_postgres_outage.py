"""PostgreSQL refuses connections for a few seconds (a TCP proxy in front of it is switched off).

Rasa's own ``FailSafeTrackerStore`` would answer that by starting a *new* conversation and
keeping the turn in memory only; ops.tracker_store.RetryingSQLTrackerStore makes the turn wait
for the database instead. After the outage: the message answered once, the form where it
was, the lead written.
"""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from ops.tracker_store import RetryingSQLTrackerStore
from tests.faults.conftest import leads, user_message_ids

pytestmark = [pytest.mark.faults, pytest.mark.rasa, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _store_kwargs(shop_db, pg_proxy) -> dict:  # noqa: ANN001
    url = make_url(shop_db.direct_url)
    return dict(
        domain=Domain.empty(), dialect="postgresql", host="127.0.0.1", port=pg_proxy.port,
        db=url.database, username=url.username, password=url.password,
    )  # fmt: skip


def _outage(pg_proxy, seconds: float) -> threading.Thread:  # noqa: ANN001
    pg_proxy.refuse()
    thread = threading.Thread(target=lambda: (time.sleep(seconds), pg_proxy.accept()))
    thread.start()
    return thread


async def _saved_then_read_during_outage(store, sender: str, pg_proxy) -> object:  # noqa: ANN001
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("hello", message_id="m1")])
    await store.save(tracker)
    outage = _outage(pg_proxy, 3)
    try:
        return await store.retrieve(sender)
    finally:
        outage.join()


def test_plain_rasa_store_forgets_the_conversation_during_an_outage(shop_db, pg_proxy):
    store = FailSafeTrackerStore(SQLTrackerStore(**_store_kwargs(shop_db, pg_proxy)))
    assert (
        asyncio.run(_saved_then_read_during_outage(store, "plain-1", pg_proxy)) is None
    )  # a new conversation


def test_retrying_store_waits_for_the_database(shop_db, pg_proxy):
    store = FailSafeTrackerStore(
        RetryingSQLTrackerStore(retry_seconds=15, **_store_kwargs(shop_db, pg_proxy))
    )
    tracker = asyncio.run(_saved_then_read_during_outage(store, "retry-1", pg_proxy))
    assert tracker is not None and tracker.latest_message.message_id == "m1"


def test_conversation_survives_a_postgres_outage(cluster, customer, shop_db, pg_proxy):
    customer.turn("need brake pads")
    customer.turn("toyota")
    outage = _outage(pg_proxy, 5)
    try:
        before = len(customer.replies())
        ready = httpx.get(f"{cluster.rasa_url(0)}/webhooks/ops/ready", timeout=10)
        assert ready.status_code == 503
        failing = {c["name"] for c in ready.json()["checks"] if not c["ok"]}
        assert {"tracker_db", "database"} <= failing
        # The inbox cannot store it: 503, and "Meta" delivers it again until the database is back.
        customer.send("land cruiser 2015")
        assert customer.redeliveries >= 1
    finally:
        outage.join()
    customer.wait_replies(before, timeout=60)
    rows = customer.list_rows()
    assert rows, [m.payload for m in customer.replies()[before:]]
    before = len(customer.replies())
    customer.tap(rows[0])
    customer.wait_replies(before)

    assert httpx.get(f"{cluster.rasa_url(0)}/webhooks/ops/ready", timeout=10).status_code == 200
    assert [kind for _, kind, _ in leads(shop_db, customer.number)] == ["quote"]
    assert user_message_ids(shop_db, customer.number) == customer.sent
