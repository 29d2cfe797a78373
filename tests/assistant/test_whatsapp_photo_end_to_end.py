"""A registration-card photo on WhatsApp, end to end (issue 7 acceptance).

A signed Meta webhook carries an image id; the fake Graph API (simulator.graph_server) serves a
card photo generated at test time with a real VIN; the real connector downloads it, the real
media pipeline (Tesseract) reads it, the real Rasa server and action server turn it into the
confirmation question, which must reach the fake Graph API as reply buttons with the right
VIN. A tap on "Yes" then fills the car. Also: the list of parts arrives with a header line,
not a second full copy of the list.
"""

from __future__ import annotations

import random
import shutil
import time

import httpx
import pytest

from simulator import webhooks
from tests.helpers.shared_stack import APP_SECRET as SECRET
from tests.media.cards import Distortion, card_photo, make_vin

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


@pytest.fixture(scope="module")
def graph(assistant_graph):
    return assistant_graph


@pytest.fixture(scope="module")
def stack(assistant_stack):
    """The shared stack (tests/helpers/shared_stack.py): WhatsApp channel with the media pipeline."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (scripts/system-deps)")
    return assistant_stack


def deliver(stack, message: dict) -> None:
    raw = webhooks.encode(webhooks.customer_message(message, name="Khalid"))
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/whatsapp/webhook",
        content=raw,
        headers=webhooks.signed_headers(raw, SECRET),
        timeout=10,
    )
    assert response.status_code == 200


def wait_until(graph, customer: str, done, timeout: float = 120.0) -> list[dict]:
    """Payloads sent to ``customer`` once ``done(payloads)`` holds (or the timeout passes)."""
    deadline = time.monotonic() + timeout
    payloads: list[dict] = []
    while time.monotonic() < deadline:
        payloads = [m.payload for m in graph.fake.messages_to(customer)]
        if done(payloads):
            return payloads
        time.sleep(0.5)
    return payloads


def button_messages(payloads: list[dict]) -> list[dict]:
    return [
        p["interactive"]
        for p in payloads
        if p.get("type") == "interactive" and p["interactive"].get("type") == "button"
    ]


def bodies(payloads: list[dict]) -> list[str]:
    out = []
    for p in payloads:
        if p.get("type") == "text":
            out.append(p["text"]["body"])
        elif p.get("type") == "interactive":
            out.append(p["interactive"]["body"]["text"])
    return out


def test_card_photo_gets_the_confirmation_question_with_the_right_vin(stack, graph):
    customer = "971504440001"
    vin = make_vin(random.Random(21), "JTM", 2016)
    photo = card_photo(vin, Distortion(angle=-3, blur=0.6, noise=15, jpeg_quality=70), seed=21)
    deliver(stack, webhooks.image(customer, graph.fake.register_media(photo, "image/jpeg")))

    payloads = wait_until(graph, customer, lambda p: bool(button_messages(p)))
    questions = button_messages(payloads)
    assert questions, f"no confirmation question reached the fake Graph API: {payloads}\n{stack.logs()}"
    [question] = questions
    assert vin in question["body"]["text"] and "Toyota" in question["body"]["text"]
    buttons = question["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["/affirm", "/deny"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    assert graph.fake.rejected == []  # Meta would accept it

    sent_before = len(payloads)
    deliver(stack, webhooks.button_reply(customer, "/affirm", buttons[0]["reply"]["title"]))
    after = wait_until(graph, customer, lambda p: len(p) >= sent_before + 2)[sent_before:]
    said = "\n".join(bodies(after))
    assert vin in said and "Toyota" in said, after
    assert "part" in said.lower()  # the form goes on: which part?
    slots = stack.tracker(customer)["slots"]
    assert (slots["vin"], slots["make"], slots["chassis_pending"]) == (vin, "Toyota", None)


def test_parts_list_on_whatsapp_has_a_header_not_a_second_copy(stack, graph):
    customer = "971504440002"
    deliver(stack, webhooks.text(customer, "need brake pads for toyota land cruiser 2015"))
    payloads = wait_until(
        graph, customer, lambda p: any(x.get("interactive", {}).get("type") == "list" for x in p)
    )
    texts_sent = [p["text"]["body"] for p in payloads if p.get("type") == "text"]
    [header] = texts_sent
    assert "\n" not in header and "AED" not in header and "Land Cruiser" in header
    [listed] = [p["interactive"] for p in payloads if p.get("type") == "interactive"]
    assert len(listed["action"]["sections"][0]["rows"]) > 3
