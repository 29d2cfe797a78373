"""Meta delivers at least once: the same webhook reaching two Rasa instances at the same
instant must be answered exactly once (the wamid is the primary key of the inbox)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from simulator import webhooks
from tests.faults.conftest import SECRET, tracker, user_message_ids

pytestmark = [pytest.mark.faults, pytest.mark.rasa, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _deliver_at_once(urls: list[str], body: dict) -> list[int]:
    raw = webhooks.encode(body)
    headers = webhooks.signed_headers(raw, SECRET)
    barrier = threading.Barrier(len(urls))
    statuses: list[int] = []

    def post(url: str) -> None:
        barrier.wait()
        statuses.append(
            httpx.post(
                f"{url}/webhooks/whatsapp/webhook", content=raw, headers=headers, timeout=30
            ).status_code
        )

    threads = [threading.Thread(target=post, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_cluster_is_ready_and_answers(cluster, customer):
    for index in range(2):
        ready = httpx.get(f"{cluster.rasa_url(index)}/webhooks/ops/ready", timeout=10)
        assert ready.status_code == 200, ready.text
        names = {c["name"]: c for c in ready.json()["checks"]}
        assert names["tracker_store"]["detail"] == "RetryingSQLTrackerStore"
        assert {"lock_store", "tracker_db", "database", "action_server"} <= set(names)
    replies = customer.turn("need brake pads for toyota land cruiser 2015")
    assert customer.list_rows(), [m.payload for m in replies]


def test_same_webhook_to_two_instances_is_answered_once(cluster, customer, graph, shop_db):
    other_number = customer.number[:4] + f"{(int(customer.number[4:]) + 1) % 10**8:08d}"
    control = customer.__class__(other_number, graph, cluster, [])
    control.turn("hi")  # the same message delivered once: how many replies one "hi" gets

    message = webhooks.text(customer.number, "hi")
    body = webhooks.customer_message(message, name="Twice")
    statuses = _deliver_at_once([cluster.rasa_url(0), cluster.rasa_url(1)], body)
    assert statuses == [200, 200]
    customer.wait_replies(0)
    time.sleep(2)  # a duplicate turn would have answered by now
    assert len(customer.replies()) == len(control.replies()) >= 1
    assert user_message_ids(shop_db, customer.number) == [message["id"]]
    events = tracker(cluster, customer.number, instance=1)["events"]
    assert [e.get("message_id") for e in events if e["event"] == "user"] == [message["id"]]
