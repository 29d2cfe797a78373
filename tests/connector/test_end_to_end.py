"""The real assistant behind the real connector: a signed Meta webhook in, a WhatsApp list of
catalog parts out at the fake Graph API. Rasa server + action server run as subprocesses: the
stack the end-to-end modules share (tests/helpers/shared_stack.py), with the cached model."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from sqlalchemy import bindparam, create_engine, text

from simulator import webhooks
from tests.helpers.shared_stack import APP_SECRET as SECRET

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

CUSTOMER = "971502223344"


@pytest.fixture(scope="module")
def graph(assistant_graph):
    return assistant_graph


@pytest.fixture(scope="module")
def stack(assistant_stack):
    """The shared stack (tests/helpers/shared_stack.py): the real WhatsApp channel."""
    return assistant_stack


def _post(stack, body: dict, secret: str = SECRET) -> httpx.Response:
    raw = webhooks.encode(body)
    url = f"{stack.rasa_url}/webhooks/whatsapp/webhook"
    return httpx.post(url, content=raw, headers=webhooks.signed_headers(raw, secret), timeout=10)


def _lists(messages) -> list[dict]:
    return [m.payload["interactive"] for m in messages if m.payload.get("type") == "interactive"
            and m.payload["interactive"].get("type") == "list"]  # fmt: skip


def test_signed_webhook_gets_a_whatsapp_list_of_catalog_parts(stack, graph):
    message = webhooks.text(CUSTOMER, "need brake pads for toyota land cruiser 2015")
    response = _post(stack, webhooks.customer_message(message, name="Omar"))
    assert response.status_code == 200, stack.logs()
    sent = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not _lists(sent):
        time.sleep(0.5)
        sent = graph.fake.messages_to(CUSTOMER)
    lists = _lists(sent)
    assert lists, f"no list reached the fake Graph API: {[m.payload for m in sent]}\n{stack.logs()}"
    assert graph.fake.rejected == []  # Meta would accept every message
    assert any(read["message_id"] == message["id"] for read in graph.fake.reads)  # blue ticks + typing

    rows = [row for section in lists[0]["action"]["sections"] for row in section["rows"]]
    skus = [json.loads(row["id"].removeprefix("/choose_part"))["sku"] for row in rows]
    assert 2 <= len(skus) <= 10
    engine = create_engine(stack.catalog_url)
    query = text(
        "SELECT DISTINCT p.sku FROM parts p JOIN categories c ON c.id = p.category_id "
        "JOIN fitments f ON f.part_id = p.id JOIN models m ON m.id = f.model_id "
        "WHERE p.sku IN :skus AND c.name = 'Brake Pads' AND m.name = 'Land Cruiser' "
        "AND f.year_from <= 2015 AND f.year_to >= 2015"
    ).bindparams(bindparam("skus", expanding=True))
    with engine.connect() as conn:
        fitting = set(conn.execute(query, {"skus": skus}).scalars())
    engine.dispose()
    assert fitting == set(skus)  # every row is a real catalog part that fits the car


def _replies_after_settling(graph, customer: str) -> int:
    graph.wait_for(1, customer, timeout=60)
    time.sleep(4)  # let the rest of the turn arrive
    return len(graph.fake.messages_to(customer))


def test_redelivered_webhook_is_answered_once_by_the_real_stack(stack, graph):
    """Three deliveries of one message get exactly as many replies as one delivery of it."""
    once, thrice = "971502228888", "971502229999"
    assert _post(stack, webhooks.customer_message(webhooks.text(once, "hi"))).status_code == 200
    body = webhooks.customer_message(webhooks.text(thrice, "hi"))
    assert [_post(stack, body).status_code for _ in range(3)] == [200, 200, 200]
    assert _replies_after_settling(graph, thrice) == _replies_after_settling(graph, once) >= 1


def test_unsigned_webhook_is_refused_by_the_real_server(stack, graph):
    raw = webhooks.encode(webhooks.customer_message(webhooks.text("971502220000", "hi")))
    response = httpx.post(f"{stack.rasa_url}/webhooks/whatsapp/webhook", content=raw, timeout=10)
    assert response.status_code == 403
