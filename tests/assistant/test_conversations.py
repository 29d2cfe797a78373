"""The conversation test set of issue 14: every class, English / Arabic / Arabizi, with typos.

Each conversation in ``tests/assistant/conversations/*.yml`` is sent turn by turn through the
real Rasa server and action server (one shared set for the session), and each turn's replies,
slots and leads are checked (see the README next to the files). Every reply of every
conversation must be free of internal values: slot or response names, ``{placeholders}``,
``None``/``null``.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from catalog.schema import Lead
from shopkernel.db import make_engine, make_session_factory, session_scope

pytestmark = [pytest.mark.rasa, pytest.mark.slow]
FOLDER = Path(__file__).resolve().parent / "conversations"
ARABIC = re.compile(r"[\u0600-\u06ff]")
INTERNAL = re.compile(
    r"\{[a-z_]+\}|\bNone\b|\bnull\b|\bnan\b|utter_|action_|_form\b|requested_slot|search_results|"
    r"vehicle_offer|chassis_pending|vin_retry|part_number|frame_number|nlu_fallback|\bslot\b"
)


def load_conversations() -> list[dict]:
    found = []
    for path in sorted(FOLDER.glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.append({**conversation, "file": path.stem})
    return found


CONVERSATIONS = load_conversations()


@pytest.fixture(scope="module")
def leads_in(assistant_stack):
    engine = make_engine(assistant_stack.catalog_url)
    factory = make_session_factory(engine)

    def count(sender: str) -> int:
        with session_scope(factory) as session:
            query = (
                select(func.count())
                .select_from(Lead)
                .where(Lead.channel_user_id == sender, Lead.kind == "quote")
            )
            return session.execute(query).scalar_one()

    yield count
    engine.dispose()


def reply_text(replies: list[dict]) -> str:
    parts = []
    for reply in replies:
        parts.append(reply.get("text") or "")
        parts += [b.get("title") or "" for b in reply.get("buttons") or []]
        interactive = (reply.get("custom") or {}).get("whatsapp")
        if interactive:
            parts.append(interactive["body"]["text"])
            for section in interactive["action"]["sections"]:
                parts += [f"{row['title']} {row['description']}" for row in section["rows"]]
    return "\n".join(parts)


def choice_ids(replies: list[dict]) -> list[str]:
    ids = []
    for reply in replies:
        ids += [b["payload"] for b in reply.get("buttons") or []]
        interactive = (reply.get("custom") or {}).get("whatsapp")
        if interactive:
            ids += [row["id"] for s in interactive["action"]["sections"] for row in s["rows"]]
    return [i for i in ids if i.startswith("/choose_part")]


RUN = str(time.time_ns())  # servers may outlive a run (TEST_ASSISTANT_STACK): new customers each run


def sender_for(conversation_id: str) -> str:
    """A unique, phone-like sender id per conversation and run."""
    return "97155" + str(zlib.crc32(f"{RUN}:{conversation_id}".encode()) % 10**8).zfill(8)


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["id"] for c in CONVERSATIONS])
def test_conversation(assistant_stack, leads_in, conversation):
    sender = sender_for(conversation["id"] + "-" + conversation["file"])
    last_choices: list[str] = []
    transcript: list[str] = []
    for number, turn in enumerate(conversation["turns"], start=1):
        message = last_choices[0] if turn.get("tap_first") else str(turn["say"])
        leads_before = leads_in(sender)
        replies = assistant_stack.send(sender, message, metadata={"customer_name": "Test"})
        text = reply_text(replies)
        transcript.append(f"> {message}\n{text}")
        where = f"turn {number} ({message!r}) of {conversation['id']}:\n" + "\n".join(transcript)
        leaked = INTERNAL.findall(text)
        assert not leaked, f"internal value {leaked} in a reply, {where}"
        slots = assistant_stack.tracker(sender)["slots"]
        check_turn(turn.get("expect") or {}, replies, text, slots, leads_in(sender) - leads_before, where)
        last_choices = choice_ids(replies) or last_choices


def check_turn(expect: dict, replies: list[dict], text: str, slots: dict, new_leads: int, where: str) -> None:
    lowered = text.lower()
    shows_parts = "AED" in text or "درهم" in text
    if "results" in expect:
        assert shows_parts == expect["results"], f"results expected {expect['results']}, {where}"
    if expect.get("lead"):
        assert new_leads == 1 and "#" in text, f"a lead and its reference expected, {where}"
    if expect.get("no_lead"):
        assert new_leads == 0, f"no lead expected, {where}"
    if expect.get("asks_which"):
        assert len(choice_ids(replies)) >= 2 and new_leads == 0, (
            f"'which one?' with choices expected, {where}"
        )
    if expect.get("arabic"):
        assert ARABIC.search(text), f"an Arabic reply expected, {where}"
    for needle in expect.get("contains") or []:
        assert str(needle).lower() in lowered, f"{needle!r} expected in the reply, {where}"
    for needle in expect.get("not_contains") or []:
        assert str(needle).lower() not in lowered, f"{needle!r} must not be in the reply, {where}"
    for name, value in (expect.get("slots") or {}).items():
        got = slots.get(name)
        assert got == (None if value is None else str(value)), (
            f"slot {name} = {json.dumps(got, ensure_ascii=False)}, expected {value!r}, {where}"
        )


def test_the_set_is_big_and_covers_every_class():
    files = {c["file"] for c in CONVERSATIONS}
    assert len(CONVERSATIONS) >= 80
    assert {"fillers", "orders", "years", "chassis_numbers", "corrections", "fitment", "short_replies",
            "happy_paths"} <= files  # fmt: skip
    assert len({c["id"] for c in CONVERSATIONS}) == len(CONVERSATIONS)
