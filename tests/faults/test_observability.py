"""What a shop's operator sees: JSON logs tagged with the conversation (never a phone number in
clear) and Prometheus counters that move with real traffic."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ops.logging import conversation_ref, mask_phone
from tests.faults.conftest import LOG_HASH_KEY, Customer

pytestmark = [pytest.mark.faults, pytest.mark.rasa, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _sum(urls: list[str], name: str, **labels: str) -> float:
    total = 0.0
    for url in urls:
        for family in text_string_to_metric_families(httpx.get(url, timeout=10).text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    total += sample.value
    return total


def test_metrics_follow_a_conversation_to_its_lead(cluster, customer):
    rasa = [f"{cluster.rasa_url(i)}/webhooks/ops/metrics" for i in range(2)]
    actions = [f"http://127.0.0.1:{port}/metrics" for port in cluster.action_ports]
    before = {
        "in": _sum(rasa, "partsbot_messages_in_total", type="text"),
        "turns": _sum(rasa, "partsbot_turn_seconds_count"),
        "out": _sum(rasa, "partsbot_messages_out_total"),
        "leads": _sum(actions, "partsbot_leads_created_total", kind="quote"),
        "search": _sum(actions, "partsbot_actions_total", action="action_search_parts", status="200"),
    }
    replies = customer.turn("need brake pads for toyota land cruiser 2015")
    rows = customer.list_rows()
    replies += _tap(customer, rows[0])

    assert _sum(rasa, "partsbot_messages_in_total", type="text") == before["in"] + 1
    assert _sum(rasa, "partsbot_messages_in_total", type="interactive") >= 1
    assert _sum(rasa, "partsbot_turn_seconds_count") == before["turns"] + 2
    assert _sum(rasa, "partsbot_messages_out_total") == before["out"] + len(replies)
    assert _sum(actions, "partsbot_leads_created_total", kind="quote") == before["leads"] + 1
    assert (
        _sum(actions, "partsbot_actions_total", action="action_search_parts", status="200")
        >= before["search"] + 1
    )


def _tap(customer, row: dict) -> list:  # noqa: ANN001
    before = len(customer.replies())
    customer.tap(row)
    return customer.wait_replies(before)


def _logs(cluster) -> list[str]:  # noqa: ANN001
    names = [*cluster.rasa_names(), *cluster.action_names()]
    return [cluster.procs[name].log_path.read_text(errors="replace") for name in names]


def test_logs_are_json_with_the_conversation_and_no_phone_number(cluster, graph):
    # a number whose masked form (9715****1234) no earlier customer of the suite had: the lines
    # tagged with it are this customer's, whatever else the logs hold
    earlier = "\n".join(_logs(cluster))
    while True:
        number = f"9715{uuid.uuid4().int % 10**8:08d}"
        if mask_phone(number) not in earlier:
            break
    customer = Customer(number, graph, cluster, [])
    customer.turn("hi")
    records = []
    for text in _logs(cluster):
        assert customer.number not in text  # never in clear, in any line
        records += [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [r for r in records if r.get("customer") == mask_phone(customer.number)]
    assert mine, "no log line tagged with this conversation"
    assert {r["conversation_id"] for r in mine} == {conversation_ref(customer.number, LOG_HASH_KEY.encode())}
    assert any(r["logger"].startswith("connectors.whatsapp") for r in mine)
