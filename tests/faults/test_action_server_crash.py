"""Action servers crash (SIGKILL) in the middle of a conversation.

With two behind nginx the customer notices nothing (nginx tries the other one); with none left,
nginx answers 502 at once and the Rasa server retries the action call (ops/action_retry.py)
until one is back, then the turn completes: every message answered once, the lead written once.
"""

from __future__ import annotations

import time

import pytest

from tests.faults.conftest import leads, user_message_ids

pytestmark = [pytest.mark.faults, pytest.mark.rasa, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _text(messages) -> str:  # noqa: ANN001
    return " ".join(
        str(
            m.payload.get("text", {}).get("body")
            or m.payload.get("interactive", {}).get("body", {}).get("text")
        )
        for m in messages
    )


def test_action_servers_killed_mid_conversation_then_restarted(cluster, customer, shop_db):
    first, second = cluster.procs["actions-1"], cluster.procs["actions-2"]
    try:
        assert "make" in _text(customer.turn("need brake pads")).lower()
        first.kill()
        assert "Toyota" in _text(customer.turn("toyota"))  # the other action server took over

        second.kill()  # no action server left
        before = len(customer.replies())
        customer.send("land cruiser 2015")
        time.sleep(3)
        assert len(customer.replies()) == before  # waiting, not answered with an error
        first.launch().wait_ready()
        customer.wait_replies(before)
        rows = customer.list_rows()
        assert rows, _text(customer.replies()[before:])

        before = len(customer.replies())
        customer.tap(rows[0])
        confirmation = _text(customer.wait_replies(before))
    finally:
        for proc in (first, second):
            if not proc.alive:
                proc.launch().wait_ready()

    stored = leads(shop_db, customer.number)
    assert [(kind, sku) for _, kind, sku in stored] == [("quote", _sku(rows[0]))]
    assert str(stored[0][0]) in confirmation  # the customer was given the lead number
    assert user_message_ids(shop_db, customer.number) == customer.sent  # each once, in order


def _sku(row: dict) -> str:
    import json

    return json.loads(row["id"].removeprefix("/choose_part"))["sku"]
