"""The GPT fallback rephraser (issue 6) with the real Rasa server and the real action server.

The session's live stack (tests/conftest.py ``live_stack``): Rasa runs with ``--enable-api`` and
a token (the action re-parses the rephrasing through ``/model/parse``); its action server has
``OPENAI_API_KEY``/``OPENAI_BASE_URL`` pointing at the local fake OpenAI server
(tests/fakes/openai_server.py, real wire format, ``live_openai``) and ``RASA_URL``/
``RASA_AUTH_TOKEN`` pointing at Rasa. The canned reply without a key is checked in
test_end_to_end.py, whose stack has no key.
"""

from __future__ import annotations

import httpx
import pytest

from tests.assistant.conftest import UNCLEAR_MESSAGE
from tests.fakes.openai_server import json_chat_reply, server_error
from tests.helpers.live_stack import RASA_TOKEN

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
CLEAR = "I need brake pads for Toyota Land Cruiser 2015"
CLEAR_WITHOUT_YEAR = "I need brake pads for Toyota Land Cruiser"
CANNED = "Sorry, I didn't quite get that"


@pytest.fixture
def openai(live_openai):
    live_openai.reset()
    return live_openai


@pytest.fixture
def stack(live_stack, openai):
    return live_stack


def parse(stack, text: str) -> dict:
    response = httpx.post(
        f"{stack.rasa_url}/model/parse", json={"text": text}, params={"token": RASA_TOKEN}, timeout=30
    )
    response.raise_for_status()
    return response.json()


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_the_unclear_message_really_reaches_the_fallback(stack):
    assert parse(stack, UNCLEAR_MESSAGE)["intent"]["name"] == "nlu_fallback"
    assert parse(stack, CLEAR)["intent"]["name"] == "request_part"


def test_rephrased_message_continues_to_the_search(stack, openai):
    # The unclear message has no figures, so a faithful rephrasing has none either (the guard
    # rejects invented ones): part and car come from it, the year from the next message.
    openai.script_chat(json_chat_reply({"rephrased": CLEAR_WITHOUT_YEAR}))
    sender = "971503330001"
    replies = stack.assistant.send(sender, UNCLEAR_MESSAGE)
    assert CANNED not in texts(replies), f"{replies}\n{stack.logs()}"
    assert "year" in texts(replies).lower()  # the form goes on: which year?
    [request] = openai.chat_requests
    assert UNCLEAR_MESSAGE in request.body.decode()  # the customer's words went out as data
    assert sender not in request.body.decode()  # and nothing that identifies the customer
    assert "AED" in texts(stack.assistant.send(sender, "2015"))
    tracker = stack.tracker(sender)
    slots = tracker["slots"]
    assert (slots["part"], slots["make"], slots["model"], slots["year"]) == (
        "Brake Pads", "Toyota", "Land Cruiser", "2015",
    )  # fmt: skip
    [user] = [
        e for e in tracker["events"] if e["event"] == "user" and (e.get("metadata") or {}).get("rephraser")
    ]
    assert user["text"] == CLEAR_WITHOUT_YEAR and user["parse_data"]["intent"]["name"] == "request_part"
    assert user["metadata"]["rephraser"]["original_text"] == UNCLEAR_MESSAGE
    assert any(e["event"] == "rewind" for e in tracker["events"])


def test_rephrasing_that_is_still_unclear_gets_the_canned_question(stack, openai):
    openai.script_chat(json_chat_reply({"rephrased": UNCLEAR_MESSAGE}))  # still vague
    replies = stack.assistant.send("971503330002", UNCLEAR_MESSAGE)
    assert texts(replies).startswith(CANNED) and len(replies) == 1
    assert len(openai.chat_requests) == 1


def test_model_server_error_gets_the_canned_question(stack, openai):
    openai.script_chat(server_error(500))
    replies = stack.assistant.send("971503330003", UNCLEAR_MESSAGE)
    assert texts(replies).startswith(CANNED)
    assert len(openai.chat_requests) == 1  # no retry storm
