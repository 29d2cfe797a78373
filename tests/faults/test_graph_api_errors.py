"""The Graph API answers 500 and 429 for a while: replies are retried and delivered; when it
stays down longer than the retries, the failure is recorded (table + metric) and the
conversation carries on afterwards."""

from __future__ import annotations

import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.faults.conftest import user_message_ids

pytestmark = [pytest.mark.faults, pytest.mark.rasa, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _metric(cluster, name: str, **labels: str) -> float:  # noqa: ANN001
    """Sum of a counter's samples (with these labels) over every Rasa instance's /metrics."""
    total = 0.0
    for index in range(2):
        text = httpx.get(f"{cluster.rasa_url(index)}/webhooks/ops/metrics", timeout=10).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    total += sample.value
    return total


def test_500_and_429_are_retried_and_delivered(cluster, customer, graph, shop_db):
    failures_before = _metric(cluster, "partsbot_send_failures_total", source="send")
    attempts_before = graph.fake.attempts
    graph.fake.inject_error(131000, times=1)  # HTTP 500 "Something went wrong"
    graph.fake.inject_error(130429, times=2)  # HTTP 429 throughput limit
    replies = customer.turn("need brake pads for toyota land cruiser 2015")
    assert customer.list_rows(), [m.payload for m in replies]
    assert graph.fake.attempts - attempts_before == len(replies) + 3  # three retried sends
    assert _metric(cluster, "partsbot_send_failures_total", source="send") == failures_before
    assert (
        shop_db.scalar("SELECT count(*) FROM whatsapp_failed_sends WHERE recipient = :r", r=customer.number)
        == 0
    )


def test_graph_down_longer_than_retries_is_recorded_and_conversation_resumes(
    cluster, customer, graph, shop_db
):
    before = _metric(cluster, "partsbot_send_failures_total", code="131000", source="send")
    graph.fake.inject_error(131000, times=4)  # every attempt (WHATSAPP_SEND_MAX_ATTEMPTS=4) of one send
    customer.send("hi")
    deadline = time.monotonic() + 30
    query = "SELECT error_code, source, attempts FROM whatsapp_failed_sends WHERE recipient = :r"
    while not (rows := shop_db.rows(query, r=customer.number)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [tuple(r) for r in rows] == [(131000, "send", 4)]
    assert _metric(cluster, "partsbot_send_failures_total", code="131000", source="send") == before + 1

    replies = customer.turn("need brake pads for toyota land cruiser 2015")  # the API is back
    assert customer.list_rows(), [m.payload for m in replies]
    assert user_message_ids(shop_db, customer.number) == customer.sent
