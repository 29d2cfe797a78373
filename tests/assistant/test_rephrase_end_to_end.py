"""The GPT fallback rephraser (issue 6) with the real Rasa server and the real action server.

Rasa runs with ``--enable-api`` (the action re-parses the rephrasing through ``/model/parse``);
the action server gets ``OPENAI_API_KEY``/``OPENAI_BASE_URL`` pointing at the local fake OpenAI
server (tests/fakes/openai_server.py, real wire format) and ``RASA_URL`` pointing at Rasa. The
canned reply without a key is checked in test_end_to_end.py, whose stack has no key.
"""

from __future__ import annotations

import httpx
import pytest

from tests.assistant.conftest import UNCLEAR_MESSAGE
from tests.fakes.openai_server import FakeOpenAIServer, json_chat_reply, server_error
from tests.helpers.servers import (
    AssistantStack,
    build_sample_catalog,
    free_port,
    start_action_server,
    start_rasa_server,
    write_endpoints,
)

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
API_KEY = "sk-test-e2e"
CLEAR = "I need brake pads for Toyota Land Cruiser 2015"
CLEAR_WITHOUT_YEAR = "I need brake pads for Toyota Land Cruiser"
CANNED = "Sorry, I didn't quite get that"


@pytest.fixture(scope="module")
def openai():
    with FakeOpenAIServer(api_key=API_KEY) as fake:
        yield fake


@pytest.fixture(scope="module")
def stack(tmp_path_factory, openai):
    """Like AssistantStack, but the action server must know Rasa's URL before Rasa starts."""
    from ops.model import ensure_model

    workdir = tmp_path_factory.mktemp("rephrase-e2e")
    rasa_port = free_port()
    env = {
        "OPENAI_API_KEY": API_KEY,
        "OPENAI_BASE_URL": openai.base_url,
        "OPENAI_TIMEOUT": "5",
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
    }
    running = AssistantStack(workdir, build_sample_catalog(workdir / "catalog.db", rows=3000), extra_env=env)
    model = ensure_model(quiet=True)
    running.actions = start_action_server(workdir, running.env)
    try:
        endpoints = write_endpoints(workdir, running.actions.ready_url.replace("/health", "/webhook"))
        running.rasa = start_rasa_server(workdir, model, endpoints, env=running.env, port=rasa_port)
    except BaseException:
        running.actions.stop()
        raise
    try:
        yield running
    finally:
        running.__exit__(None, None, None)  # stops both servers


@pytest.fixture(autouse=True)
def fresh_script(openai):
    openai.reset()
    yield


def parse(stack, text: str) -> dict:
    response = httpx.post(f"{stack.rasa_url}/model/parse", json={"text": text}, timeout=30)
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
    replies = stack.send(sender, UNCLEAR_MESSAGE)
    assert CANNED not in texts(replies), f"{replies}\n{stack.logs()}"
    assert "year" in texts(replies).lower()  # the form goes on: which year?
    [request] = openai.chat_requests
    assert UNCLEAR_MESSAGE in request.body.decode()  # the customer's words went out as data
    assert sender not in request.body.decode()  # and nothing that identifies the customer
    assert "AED" in texts(stack.send(sender, "2015"))
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
    replies = stack.send("971503330002", UNCLEAR_MESSAGE)
    assert texts(replies).startswith(CANNED) and len(replies) == 1
    assert len(openai.chat_requests) == 1


def test_model_server_error_gets_the_canned_question(stack, openai):
    openai.script_chat(server_error(500))
    replies = stack.send("971503330003", UNCLEAR_MESSAGE)
    assert texts(replies).startswith(CANNED)
    assert len(openai.chat_requests) == 1  # no retry storm
