"""Record real conversations through the real Rasa + action servers as tracker-store fixtures.

    .venv/bin/python -m tests.insights.record_conversations     # rewrites tests/insights/recorded/

Runs each scripted conversation below through the REST channel of a running assistant
(tests/helpers/servers.py: the cached model, the action server, a 3,000-row sample catalog,
a SQLite tracker store, the fake OpenAI server for the rephraser), then copies the rows of
Rasa's ``events`` table, exactly as SQLTrackerStore wrote them, into one JSON file per
conversation. The marker tests read these files; rerun this after a change to the
conversation (domain, actions, NLU) so the fixtures stay what the assistant really records.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.assistant.conftest import UNCLEAR_MESSAGE
from tests.fakes.openai_server import FakeOpenAIServer, json_chat_reply
from tests.helpers.servers import (
    AssistantStack,
    build_sample_catalog,
    free_port,
    start_action_server,
    start_rasa_server,
    write_endpoints,
)

OUT = Path(__file__).parent / "recorded"
API_KEY = "sk-test-record"
FIRST_CHOICE = "@first-choice"  # replaced by the first /choose_part payload of the last replies
STAFF_REPLY = "@staff:"  # "@staff:<text>" is posted as a staff message (bot event with metadata)

# name -> sender id and the customer's messages, in order
CONVERSATIONS: dict[str, tuple[str, list[str]]] = {
    "happy_en": (
        "971500000101",
        ["hi", "need brake pads", "toyota", "land cruiser 2015", FIRST_CHOICE, "thanks"],
    ),
    "arabic_one_message": ("971500000102", ["ابي فحمات لاندكروزر 2015", "الثاني"]),
    "arabizi": ("971500000103", ["abi fa7mat patrol 2018"]),
    "correction": ("971500000104", ["need pads for land cruiser 2015", "sorry, 2016 not 2015"]),
    "handoff": (
        "971500000105",
        [
            "need radiator for patrol",
            "let me talk to a person",
            "hello?",
            f"{STAFF_REPLY}Hi, this is Sara from the shop. Which year is your Patrol?",
        ],
    ),
    "fallback": ("971500000106", [UNCLEAR_MESSAGE + " ok?"]),
    "restart": ("971500000107", ["need spark plugs", "start from the beginning"]),
    "not_found": ("971500000108", ["need a battery for honda cr-v 2018"]),
    "out_of_stock": ("971500000109", ["alternator for mitsubishi pajero 2015"]),
    "asked_twice": ("971500000110", ["need brake pads", "toyota", "the red one", "land cruiser 2016"]),
    "abandoned": ("971500000111", ["need oil filter for nissan"]),
    "rephrased": ("971500000112", [UNCLEAR_MESSAGE]),
}
REPHRASED = "I need brake pads for Toyota Land Cruiser 2015"


def choose_first(replies: list[dict]) -> str:
    for reply in replies:
        for button in reply.get("buttons") or []:
            if button["payload"].startswith("/choose_part"):
                return button["payload"]
        interactive = (reply.get("custom") or {}).get("whatsapp")
        if interactive:
            return interactive["action"]["sections"][0]["rows"][0]["id"]
    raise RuntimeError(f"no item to choose in {replies}")


def post_staff_message(stack: AssistantStack, sender: str, text: str) -> None:
    """What the live console records when an agent writes: a bot event naming the agent."""
    event = {"event": "bot", "text": text, "metadata": {"staff": {"name": "Sara", "role": "agent"}}}
    url = f"{stack.rasa_url}/conversations/{sender}/tracker/events"
    httpx.post(url, json=event, timeout=30).raise_for_status()


def run_conversation(
    stack: AssistantStack, sender: str, messages: list[str], before: Callable[[str], None]
) -> None:
    replies: list[dict] = []
    for text in messages:
        if text.startswith(STAFF_REPLY):
            post_staff_message(stack, sender, text.removeprefix(STAFF_REPLY))
            continue
        if text == FIRST_CHOICE:
            text = choose_first(replies)
        before(text)
        replies = stack.send(sender, text)
        print(f"  {sender} > {text[:60]!r}: {[r.get('text', '')[:50] for r in replies]}", file=sys.stderr)


def dump_rows(tracker_db: Path, sender: str) -> list[dict]:
    with sqlite3.connect(tracker_db) as db:
        rows = db.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events"
            " WHERE sender_id = ? ORDER BY id",
            (sender,),
        ).fetchall()
    keys = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def main() -> None:
    from ops.model import ensure_model

    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAIServer(api_key=API_KEY) as openai:
        workdir = Path(tmp)
        rasa_port = free_port()
        env = {"OPENAI_API_KEY": API_KEY, "OPENAI_BASE_URL": openai.base_url, "OPENAI_TIMEOUT": "5",
               "RASA_URL": f"http://127.0.0.1:{rasa_port}"}  # fmt: skip
        stack = AssistantStack(
            workdir, build_sample_catalog(workdir / "catalog.db", rows=3000), extra_env=env
        )
        stack.actions = start_action_server(workdir, stack.env)
        try:
            endpoints = write_endpoints(workdir, stack.actions.ready_url.replace("/health", "/webhook"))
            stack.rasa = start_rasa_server(
                workdir, ensure_model(quiet=True), endpoints, env=stack.env, port=rasa_port
            )

            def before(text: str) -> None:
                openai.reset()
                if text == UNCLEAR_MESSAGE:  # only the "rephrased" conversation gets a usable rephrasing
                    openai.script_chat(json_chat_reply({"rephrased": REPHRASED}))
                else:
                    openai.script_chat(json_chat_reply({"rephrased": "asdf qwer zxcv"}))

            for name, (sender, messages) in CONVERSATIONS.items():
                print(name, file=sys.stderr)
                run_conversation(stack, sender, messages, before)
                rows = dump_rows(workdir / "tracker.db", sender)
                text = json.dumps(rows, ensure_ascii=False, indent=1)
                (OUT / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        finally:
            stack.__exit__(None, None, None)


if __name__ == "__main__":
    main()
