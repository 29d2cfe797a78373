"""The simulator newcomers use: the fake Graph API behaves like Meta, the chat like a phone."""

from __future__ import annotations

import httpx
import pytest

from simulator import webhooks
from simulator.chat import Chat
from tests.connector.harness import ACCESS_TOKEN

CUSTOMER = "971501234567"


@pytest.fixture
async def chat(bot, fake_graph):
    session = Chat(fake_graph.base_url, bot.url, CUSTOMER, "Sara")
    await session.check()
    yield session
    await session.close()


async def test_chat_text_round_trip(chat, bot):
    assert await chat.handle_input("hello") == ""
    assert await chat.poll(wait=5) == ["Bot: You said: hello"]
    assert bot.received[0].metadata["profile_name"] == "Sara"


async def test_chat_shows_buttons_and_a_number_sends_the_button_id(chat, bot):
    await chat.handle_input("buttons")
    lines = await chat.poll(wait=5)
    assert lines == ["Bot: Is this your car?", "     [ 1 ] Yes  [ 2 ] No  [ 3 ] Maybe"]
    await chat.handle_input("2")
    await bot.settle()
    assert bot.received[-1].text == "/no"
    assert bot.received[-1].metadata["reply_to"] == chat.last_bot_message


async def test_chat_shows_lists_as_a_numbered_menu(chat, bot):
    await chat.handle_input("parts")
    lines: list[str] = []
    while not any("More options (2/2)" in line for line in lines):
        lines += await chat.poll(wait=5)
    assert lines[:3] == [
        "Bot: Parts that fit:",
        "     ☰ View options",
        "        1. Brake pad set 1 front a… — Brake pad set 1 front axle ceramic",
    ]
    assert len(chat.options) == 2  # the latest list is the one the numbers refer to
    await chat.handle_input("2")  # second row of the second list = part 12
    await bot.settle()
    assert bot.received[-1].text == '/choose_part{"sku": "BP-012"}'


async def test_chat_rejects_numbers_outside_the_menu(chat):
    await chat.handle_input("buttons")
    await chat.poll(wait=5)
    assert await chat.handle_input("7") == "! choose 1-3"


async def test_chat_sends_a_photo_the_bot_can_download(chat, bot, fake_graph, tmp_path):
    photo = tmp_path / "part.jpg"
    photo.write_bytes(b"\xff\xd8 jpeg bytes")
    assert await chat.handle_input(f"/photo {photo} is this the right filter?") == ""
    await bot.settle()
    [received] = bot.received  # no pipeline configured: the caption is used
    assert received.text == "is this the right filter?"
    media_id = received.metadata["media"]["id"]
    media = await bot.channel.runtime.client.download_media(media_id, max_bytes=1000)
    assert media.data == b"\xff\xd8 jpeg bytes"


async def test_chat_explains_a_secret_mismatch(bot, fake_graph):
    fake_graph.app_secret = "not-the-bots-secret"
    session = Chat(fake_graph.base_url, bot.url, CUSTOMER, "Sara")
    try:
        assert "WHATSAPP_APP_SECRET" in await session.handle_input("hi")
    finally:
        await session.close()
    assert bot.received == []


def _buttons(*titles: str) -> dict:
    buttons = [{"type": "reply", "reply": {"id": f"id{n}", "title": t}} for n, t in enumerate(titles)]
    interactive = {"type": "button", "body": {"text": "Pick"}, "action": {"buttons": buttons}}
    return {"type": "interactive", "interactive": interactive}


def _list(rows: list[dict]) -> dict:
    interactive = {
        "type": "list",
        "body": {"text": "Pick"},
        "action": {"button": "Parts", "sections": [{"rows": rows}]},
    }
    return {"type": "interactive", "interactive": interactive}


@pytest.mark.parametrize(
    ("message", "code", "detail"),
    [
        ({"type": "text", "text": {"body": "x" * 4097}}, 131009, "4096"),
        ({"type": "text", "text": {}}, 131008, "text.body"),
        (_buttons("x" * 21), 131009, "Button title length"),
        (_buttons("a", "b", "c", "d"), 131009, "Max: 3"),
        (_buttons("same", "same"), 131009, "unique"),
        (_list([{"id": str(n), "title": str(n)} for n in range(11)]), 131009, "10"),
        (_list([{"id": "1", "title": "t", "description": "d" * 73}]), 131009, "row.description"),
        (_list([{"id": "1", "title": "t" * 25}]), 131009, "row.title"),
        ({"type": "hologram", "hologram": {}}, 131051, "not supported"),
    ],
)
async def test_fake_graph_rejects_what_meta_rejects_in_metas_error_shape(fake_graph, message, code, detail):
    payload = {"messaging_product": "whatsapp", "to": CUSTOMER, **message}
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{fake_graph.base_url}/v21.0/{webhooks.DEFAULT_PHONE_NUMBER_ID}/messages",
            json=payload,
            headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
        )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error["type"] == "OAuthException" and "fbtrace_id" in error
    assert detail in error["error_data"]["details"]
    assert fake_graph.sent == []


async def test_fake_graph_requires_the_bearer_token(fake_graph):
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{fake_graph.base_url}/v21.0/{webhooks.DEFAULT_PHONE_NUMBER_ID}/messages",
            json={"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": "hi"}},
        )
    assert response.status_code == 401 and response.json()["error"]["code"] == 190
