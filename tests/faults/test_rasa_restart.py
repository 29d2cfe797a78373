"""A Rasa server restarts while a customer is in the middle of the parts form.

The tracker lives in PostgreSQL, so the other instance (and the restarted one) carry on
with the form where it was; a turn running when SIGTERM arrives is finished before exit.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import leads, tracker, user_message_ids

pytestmark = [pytest.mark.faults, pytest.mark.rasa, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


def _asks(messages) -> str:  # noqa: ANN001
    return " ".join(str((m.payload.get("text") or {}).get("body", "")) for m in messages)


def test_rasa_restart_mid_form_resumes_where_it_was(cluster, customer, shop_db):
    urls = [cluster.rasa_url(i) for i in range(2)]
    home, other = 0, 1  # messages below go straight to one instance, as nginx may send them
    proc = cluster.procs[f"rasa-{home + 1}"]

    customer.turn("need brake pads", url=urls[home])
    customer.turn("toyota", url=urls[home])
    assert tracker(cluster, customer.number, home)["slots"]["requested_slot"] == "model"

    # SIGTERM right after a message reached its instance: the running turn is finished first.
    before = len(customer.replies())
    customer.send("land cruiser", url=urls[home])
    proc.stop()
    assert "year" in _asks(customer.wait_replies(before)).lower()

    # While it is down nginx sends the customer to the other instance: same form.
    slots = tracker(cluster, customer.number, other)["slots"]
    assert (slots["make"], slots["model"], slots["requested_slot"]) == ("Toyota", "Land Cruiser", "year")

    proc.launch().wait_ready()
    before = len(customer.replies())
    customer.send("2015", url=urls[home])  # straight to the restarted instance
    customer.wait_replies(before)
    rows = customer.list_rows()
    assert rows
    before = len(customer.replies())
    customer.tap(rows[0])
    customer.wait_replies(before)

    assert [kind for _, kind, _ in leads(shop_db, customer.number)] == ["quote"]
    assert user_message_ids(shop_db, customer.number) == customer.sent
