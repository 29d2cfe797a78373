"""The handoff queue and the staff message journal, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from catalog.handoff import (
    DuplicateStaffMessage,
    customer_state,
    finish_staff_message,
    hand_back,
    mark_recorded,
    staff_messages,
    start_staff_message,
    take_over,
    unrecorded_staff_messages,
    waiting_customers,
)
from catalog.leads import LeadDraft, LeadError, get_or_create_customer, record_lead, set_handoff

OMAR, HUDA, ALI = "971501112233", "971505556677", "971509990000"


def _ask_for_a_person(session, wa_id: str, name: str, **lead) -> None:
    record_lead(session, LeadDraft(wa_id, wa_id, "handoff", customer_name=name, status="needs_human", **lead))
    set_handoff(session, wa_id, True)
    session.commit()


def test_queue_lists_waiting_customers_longest_waiting_first_with_what_they_asked(session):
    _ask_for_a_person(
        session, OMAR, "Omar", make="Toyota", model="Land Cruiser", year=2015, part_query="فحمات"
    )
    time.sleep(0.01)
    _ask_for_a_person(session, HUDA, "هدى")
    get_or_create_customer(session, ALI, name="Ali")  # talks to the bot: not in the queue
    session.commit()
    queue = waiting_customers(session)
    assert [(c.channel_user_id, c.name, c.agent) for c in queue] == [
        (OMAR, "Omar", None),
        (HUDA, "هدى", None),
    ]
    assert queue[0].vehicle == "Toyota Land Cruiser 2015" and queue[0].part_query == "فحمات"
    assert (
        queue[0].since is not None and queue[0].since.tzinfo is not None and queue[0].since <= queue[1].since
    )
    assert queue[0].masked_id != OMAR and queue[0].masked_id.endswith(OMAR[-3:])


def test_take_over_names_the_agent_and_hand_back_leaves_the_queue(session):
    _ask_for_a_person(session, OMAR, "Omar")
    take_over(session, OMAR, "Sara")
    session.commit()
    [waiting] = waiting_customers(session)
    assert waiting.agent == "Sara" and waiting.taken_at >= waiting.since
    hand_back(session, OMAR)
    session.commit()
    assert waiting_customers(session) == []
    state = customer_state(session, OMAR)
    assert state is not None and state.agent is None and state.since is None


def test_taking_over_a_conversation_nobody_handed_off_silences_the_bot_too(session):
    take_over(session, ALI, "Sara")
    session.commit()
    [waiting] = waiting_customers(session)
    assert waiting.channel_user_id == ALI and waiting.agent == "Sara"
    assert customer_state(session, "971500000000") is None


def test_journal_keeps_a_refused_message_with_metas_reason(session):
    message = start_staff_message(session, OMAR, "Sara", "text", "السعر 385 درهم، متوفر اليوم")
    session.commit()
    assert message.status == "sending"
    finish_staff_message(session, message.id, error_code=131047, error_reason="Re-engagement message")
    session.commit()
    [kept] = staff_messages(session, OMAR)
    assert (kept.status, kept.error_code, kept.error_reason, kept.body) == (
        "failed",
        131047,
        "Re-engagement message",
        "السعر 385 درهم، متوفر اليوم",
    )
    assert unrecorded_staff_messages(session) == []  # never sent: nothing to write into Rasa


def test_a_sent_message_waits_until_it_is_written_into_the_conversation(session):
    message = start_staff_message(session, OMAR, "Sara", "text", "Your pads are ready")
    finish_staff_message(session, message.id, wamid="wamid.ABC")
    mark_recorded(session, message.id, error="Rasa at http://rasa:5005 is unreachable")
    session.commit()
    [waiting] = unrecorded_staff_messages(session)
    assert waiting.id == message.id and "unreachable" in waiting.record_error
    mark_recorded(session, message.id)
    session.commit()
    assert unrecorded_staff_messages(session) == []
    assert staff_messages(session, OMAR)[0].recorded_at is not None


def test_a_notification_goes_out_once_per_key(session):
    start_staff_message(
        session, OMAR, "console", "notify", "new handoff", recipient="971500001111", dedup_key="handoff:42"
    )
    session.commit()
    with pytest.raises(DuplicateStaffMessage):
        start_staff_message(
            session,
            OMAR,
            "console",
            "notify",
            "new handoff",
            recipient="971500001111",
            dedup_key="handoff:42",
        )
    session.rollback()
    assert staff_messages(session, OMAR) == []  # staff alerts are not part of the customer's conversation


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kind": "fax"}, "kind must be one of"),
        ({"agent": "  "}, "agent"),
        ({"body": "x" * 20_001}, "at most"),
        ({"conversation_id": ""}, "conversation_id"),
    ],
)
def test_bad_journal_input_is_refused_with_the_reason(session, kwargs, error):
    values = {"conversation_id": OMAR, "agent": "Sara", "kind": "text", "body": "hi", **kwargs}
    with pytest.raises(LeadError, match=error):
        start_staff_message(session, **values)
