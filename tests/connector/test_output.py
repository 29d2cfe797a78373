"""What customers see: text splitting, buttons vs lists, limits, custom JSON, images.

Every send goes to the fake Graph API, which rejects anything Meta would reject, so
``fake_graph.rejected == []`` means WhatsApp would have accepted the message.
"""

from __future__ import annotations

import pytest

from connectors.whatsapp import outbound
from shopkernel.copy import say
from simulator import webhooks
from tests.connector.harness import MANY_PARTS

CUSTOMER = "971501234567"


@pytest.fixture
def out(bot):
    return bot.channel.get_output_channel()


def _interactive(message):
    return message.payload["interactive"]


async def test_long_text_is_split_at_word_boundaries_under_4096(out, fake_graph):
    text = " ".join(f"word{n}" for n in range(1500))  # 12 389 characters
    await out.send_response(CUSTOMER, {"text": text})
    bodies = [m.payload["text"]["body"] for m in fake_graph.sent]
    assert len(text) == 12389 and len(bodies) == 4
    assert all(len(b) <= 4096 for b in bodies)
    assert " ".join(bodies) == text  # nothing lost, no word cut in half
    assert fake_graph.rejected == []


async def test_paragraphs_are_preferred_split_points(out, fake_graph):
    paragraphs = ["A" * 3000, "B" * 3000, "C" * 100]
    await out.send_text_message(CUSTOMER, "\n\n".join(paragraphs))
    assert [m.payload["text"]["body"] for m in fake_graph.sent] == [
        "A" * 3000,
        "B" * 3000 + "\n\n" + "C" * 100,
    ]


def test_text_without_any_space_is_hard_cut():
    parts = outbound.split_text("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


async def test_links_get_a_preview(out, fake_graph):
    await out.send_text_message(CUSTOMER, "Track it at https://shop.example/track/1")
    assert fake_graph.sent[0].payload["text"]["preview_url"] is True


async def test_up_to_three_short_buttons_are_reply_buttons(out, fake_graph):
    buttons = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
    await out.send_response(CUSTOMER, {"text": "Is it a 2015 model?", "buttons": buttons})
    [message] = fake_graph.sent
    interactive = _interactive(message)
    assert interactive["type"] == "button"
    assert interactive["body"]["text"] == "Is it a 2015 model?"
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": "/affirm", "title": "Yes"},
        {"id": "/deny", "title": "No"},
    ]
    assert fake_graph.rejected == []


async def test_twelve_parts_become_two_lists_with_full_titles_kept(out, fake_graph):
    await out.send_response(CUSTOMER, {"text": "Parts that fit:", "buttons": list(MANY_PARTS)})
    assert fake_graph.rejected == []
    first, second = (_interactive(m) for m in fake_graph.sent)
    assert first["type"] == second["type"] == "list"
    assert first["body"]["text"] == "Parts that fit:"
    assert second["body"]["text"] == say("lists.more_options", "en", page=2, pages=2)
    rows = first["action"]["sections"][0]["rows"] + second["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [p["payload"] for p in MANY_PARTS]
    assert len(first["action"]["sections"][0]["rows"]) == 10
    for row, part in zip(rows, MANY_PARTS, strict=True):
        assert len(row["title"]) <= 24 and row["title"].endswith("…")
        assert part["title"].startswith(row["title"][:-1])
        assert row["description"] == part["title"]


async def test_four_choices_or_long_titles_use_a_list(out, fake_graph):
    four = [{"title": f"Option {n}", "payload": f"/o{n}"} for n in range(4)]
    long = [
        {"title": "Genuine Toyota front brake pads", "payload": "/a"},
        {"title": "Aftermarket", "payload": "/b"},
    ]
    await out.send_response(CUSTOMER, {"text": "Pick one", "buttons": four})
    await out.send_response(CUSTOMER, {"text": "Pick one", "buttons": long})
    assert [_interactive(m)["type"] for m in fake_graph.sent] == ["list", "list"]
    row = _interactive(fake_graph.sent[1])["action"]["sections"][0]["rows"][0]
    assert row == {
        "id": "/a",
        "title": "Genuine Toyota front br…",
        "description": "Genuine Toyota front brake pads",
    }
    assert fake_graph.rejected == []


async def test_duplicate_titles_fall_back_to_a_list(out, fake_graph):
    buttons = [{"title": "Front", "payload": "/front_left"}, {"title": "front", "payload": "/front_right"}]
    await out.send_text_with_buttons(CUSTOMER, "Which side?", buttons)
    assert _interactive(fake_graph.sent[0])["type"] == "list"
    assert fake_graph.rejected == []


async def test_quick_replies_behave_like_buttons(out, fake_graph):
    replies = [{"title": "Sharjah", "payload": "/branch_shj"}, {"title": "Dubai", "payload": "/branch_dxb"}]
    await out.send_response(CUSTOMER, {"text": "Nearest branch?", "quick_replies": replies})
    assert _interactive(fake_graph.sent[0])["type"] == "button"


async def test_body_over_1024_characters_goes_first_as_text(out, fake_graph):
    text = "Details. " * 200
    await out.send_text_with_buttons(CUSTOMER, text, [{"title": "OK", "payload": "/ok"}])
    kinds = [m.type for m in fake_graph.sent]
    assert kinds == ["text", "interactive"]
    assert fake_graph.sent[0].payload["text"]["body"] == text.strip()
    assert _interactive(fake_graph.sent[1])["body"]["text"] == say("lists.choose_option", "en")
    assert fake_graph.rejected == []


async def test_payload_longer_than_a_row_id_survives_the_round_trip(bot, fake_graph):
    long_payload = '/choose_part{"sku": "' + "K" * 300 + '"}'
    out = bot.channel.get_output_channel()
    await out.send_text_with_buttons(CUSTOMER, "Pick", [{"title": "Kit", "payload": long_payload}])
    button = _interactive(fake_graph.sent[0])["action"]["buttons"][0]["reply"]
    assert len(button["id"]) <= 200 and button["id"] != long_payload
    await bot.post(webhooks.customer_message(webhooks.button_reply(CUSTOMER, button["id"], "Kit")))
    await bot.settle()
    assert [m.text for m in bot.received] == [long_payload]


async def test_image_is_sent_by_link(out, fake_graph):
    await out.send_response(CUSTOMER, {"image": "https://shop.example/parts/bp-001.jpg"})
    assert fake_graph.sent[0].payload["image"] == {"link": "https://shop.example/parts/bp-001.jpg"}


async def test_custom_interactive_list_is_passed_through_within_limits(out, fake_graph):
    rows = [
        {"id": f'/choose_part{{"sku": "S{n}"}}', "title": f"Brake pads premium ceramic {n}"} for n in range(3)
    ]
    interactive = {
        "type": "list",
        "header": {"type": "text", "text": "Toyota Land Cruiser 2015"},
        "body": {"text": "3 parts fit your car"},
        "action": {"button": "See the parts", "sections": [{"title": "Brake pads", "rows": rows}]},
    }
    await out.send_response(CUSTOMER, {"custom": {"whatsapp": interactive}})
    assert fake_graph.rejected == []
    [message] = fake_graph.sent
    assert message.payload["to"] == CUSTOMER and message.payload["messaging_product"] == "whatsapp"
    sent = _interactive(message)
    assert sent["header"]["text"] == "Toyota Land Cruiser 2015"
    sent_rows = sent["action"]["sections"][0]["rows"]
    assert [r["id"] for r in sent_rows] == [r["id"] for r in rows]
    assert sent_rows[0]["title"] == "Brake pads premium cera…"
    assert sent_rows[0]["description"] == "Brake pads premium ceramic 0"


async def test_custom_full_message_objects_and_lists_of_them(out, fake_graph):
    location = {"type": "location", "location": {"latitude": 25.1, "longitude": 55.2, "name": "Shop"}}
    await out.send_custom_json(
        CUSTOMER, {"whatsapp": [location, {"type": "text", "text": {"body": "See you"}}]}
    )
    assert [m.type for m in fake_graph.sent] == ["location", "text"]
    assert fake_graph.sent[0].payload["location"]["name"] == "Shop"


async def test_custom_json_for_another_channel_sends_nothing(out, fake_graph):
    await out.send_response(CUSTOMER, {"custom": {"slack": {"blocks": []}}})
    assert fake_graph.sent == []


async def test_unknown_response_keys_do_not_break_sending(out, fake_graph):
    await out.send_response(
        CUSTOMER,
        {
            "text": "hi",
            "elements": [{"title": "A", "subtitle": "B", "buttons": []}],
            "attachment": "x",
            "foo": 1,
        },
    )
    assert [m.type for m in fake_graph.sent] == ["text", "text", "text"]


async def test_bsuid_recipient_uses_the_recipient_field(out, fake_graph):
    await out.send_text_message("US.13491208655302741918", "hello")
    payload = fake_graph.sent[0].payload
    assert payload["recipient"] == "US.13491208655302741918" and "to" not in payload
