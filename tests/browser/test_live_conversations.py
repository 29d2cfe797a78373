"""Live conversations and human handoff, end to end in headless Chromium.

Everything real but Meta: customers write through signed webhooks to the real Rasa server (WhatsApp
channel, ``--auth-token``) and action server; the console is the real web service (``python -m
webservice``) on the same databases; WhatsApp is the fake Graph API (simulator/graph_server.py),
which records what reaches each customer and can refuse sends the way Meta does.
"""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from catalog.schema import Customer, StaffMessage
from shopkernel.db import make_engine, make_session_factory, session_scope
from simulator import webhooks
from tests.browser.conftest import start_console
from tests.helpers.live_stack import RASA_TOKEN, LiveStack

# A long timeout: several Rasa servers load at once on a busy 2-core machine.
pytestmark = [pytest.mark.rasa, pytest.mark.slow, pytest.mark.timeout(1800)]

OMAR, HUDA, SALEM, RANA = "971501230001", "971501230002", "971501230003", "971501230004"
STAFF_PHONE = "971509998877"
KHALID = "971501230006"


@pytest.fixture(scope="module")
def live(live_stack):
    return live_stack


@pytest.fixture(scope="module")
def web(live, tmp_path_factory):
    env = {
        **live.whatsapp_env,
        "RASA_URL": live.rasa_url,
        "RASA_AUTH_TOKEN": RASA_TOKEN,
        "CONSOLE_LIVE_POLL_SECONDS": "0.2",
        "STAFF_NOTIFY_NUMBER": STAFF_PHONE,
        "STAFF_NOTIFY_TEMPLATE": "staff_handoff_alert",
    }
    server = start_console(tmp_path_factory.mktemp("live-web"), live.catalog_url, live.tracker_db_url, env)
    yield server
    server.stop()


@pytest.fixture
def agent_page(browser, web):
    from tests.browser.conftest import sign_in

    contexts = []

    def open_page(name: str = "Sara Agent", lang: str = "en", width: int = 1280, height: int = 900):
        login = web.create_staff("agent", lang, name=name)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, web, login)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _texts_to(live: LiveStack, wa_id: str) -> list[str]:
    return [m.payload["text"]["body"] for m in live.replies_to(wa_id) if m.payload.get("type") == "text"]


def _ask_for_a_person(
    live: LiveStack, wa_id: str, first: str, name: str, handoff: str = "i want to talk to a human"
):
    live.customer_says(wa_id, first, name=name)
    live.wait_for_replies(wa_id, 1)
    before = len(live.replies_to(wa_id))
    live.customer_says(wa_id, handoff, name=name)
    live.wait_for_replies(wa_id, before + 1)  # "a colleague will reply here"
    live.wait_until(lambda: live.tracker(wa_id)["paused"], what="the conversation to pause")


def _customer_waiting(live: LiveStack, wa_id: str) -> bool:
    engine = make_engine(live.catalog_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            customer = session.query(Customer).filter_by(channel_user_id=wa_id).one_or_none()
            return bool(customer and customer.handoff_active)
    finally:
        engine.dispose()


def _take_over(page, web, wa_id: str) -> None:
    page.goto(web.url(f"/console/conversations/{wa_id}"))
    page.click("[data-take-over]")
    expect(page.locator("[data-who-answers]")).to_contain_text("is answering")


def _send(page, text: str) -> None:
    page.fill("[data-reply-text]", text)
    page.click("[data-send]")
    page.wait_for_load_state()


def test_customer_asks_for_a_person_agent_answers_live_and_hands_back(live, web, agent_page, screenshot):
    page = agent_page("Sara Agent")
    page.goto(web.url("/console/conversations"))  # open before the customer asks: it must update itself
    expect(page.locator(".queue-row", has_text="Omar")).to_have_count(0)

    _ask_for_a_person(live, OMAR, "need brake pads for toyota land cruiser 2015", "Omar")
    slots_before = {k: live.tracker(OMAR)["slots"].get(k) for k in ("make", "model", "year")}
    assert slots_before["model"], live.logs()
    expect(page.locator(".toast")).to_contain_text("A customer is waiting for a person", timeout=10_000)
    row = page.locator(".queue-row", has_text="Omar")
    expect(row).to_be_visible()  # no reload
    [alert] = [m for m in live.wait_for_replies(STAFF_PHONE, 1) if m.payload.get("type") == "template"]
    assert alert.payload["template"]["name"] == "staff_handoff_alert"
    [who] = alert.payload["template"]["components"][0]["parameters"]
    assert who["text"].startswith("Omar (9715") and OMAR not in who["text"]  # masked number
    expect(row).to_contain_text("waiting")
    expect(row).to_contain_text("nobody has taken it yet")
    screenshot(page, "live-queue-desktop")
    row.locator("a").click()

    transcript = page.locator("[data-transcript]")
    expect(transcript).to_contain_text("need brake pads for toyota land cruiser 2015")
    expect(transcript).to_contain_text("Customer asked for a person")
    expect(page.locator("[data-window]")).to_contain_text("24-hour window open")
    page.click("[data-take-over]")
    expect(page.locator("[data-who-answers]")).to_contain_text("Sara Agent is answering")

    sent_before = len(live.replies_to(OMAR))
    _send(page, "Hi Omar, Sara from the shop here. The genuine pads are 385 AED, in stock today.")
    expect(transcript.locator(".msg-staff").last).to_contain_text("385 AED")
    reply = live.wait_for_replies(OMAR, sent_before + 1)[-1]
    assert reply.to == OMAR and reply.payload["text"]["body"].startswith("Hi Omar, Sara from the shop")
    events = live.tracker(OMAR)["events"]
    assert any(e["event"] == "bot" and (e.get("metadata") or {}).get("agent") == "Sara Agent" for e in events)

    started = time.monotonic()
    live.customer_says(OMAR, "great, can you deliver to Al Quoz today?", name="Omar")
    expect(transcript.locator(".msg-customer").last).to_contain_text("deliver to Al Quoz", timeout=5_000)
    shown_after = time.monotonic() - started
    assert shown_after < 2.0, f"the message took {shown_after:.1f} s from the webhook to the page"
    assert len(live.replies_to(OMAR)) == sent_before + 1  # the bot stayed silent
    screenshot(page, "live-conversation-desktop")

    page.click("[data-hand-back]")
    expect(page.locator("[data-who-answers]")).to_contain_text("The assistant is answering")
    assert not live.tracker(OMAR)["paused"]
    assert not _customer_waiting(live, OMAR)

    count = len(live.replies_to(OMAR))
    live.customer_says(OMAR, "also need oil filter", name="Omar")
    answer = live.wait_for_replies(OMAR, count + 1)[count:]
    tracker = live.tracker(OMAR)
    assert {k: tracker["slots"].get(k) for k in slots_before} == slots_before  # the car was kept
    assert json.dumps([m.payload for m in answer], ensure_ascii=False)  # the bot answered
    assert tracker["latest_action_name"] == "action_listen"


def test_meta_refusals_are_shown_with_the_reason_and_the_text_is_kept(live, web, agent_page):
    _ask_for_a_person(live, HUDA, "hi", "Huda")
    page = agent_page("Karim Agent")
    _take_over(page, web, HUDA)

    live.graph.fake.inject_error(131047)
    _send(page, "Your order is ready for pickup")
    error = page.locator("[data-error]")
    expect(error).to_contain_text("Meta error 131047")
    expect(error).to_contain_text("24-hour window is closed")
    expect(page.locator(".msg-failed").last).to_contain_text("Your order is ready for pickup")
    expect(page.locator("textarea[data-reply-text]")).to_have_value("Your order is ready for pickup")

    live.graph.fake.inject_error(131026)
    _send(page, "Second try: pickup from 4 pm")
    expect(page.locator("[data-error]")).to_contain_text("Meta error 131026")
    expect(page.locator("[data-error]")).to_contain_text("Message undeliverable")
    expect(page.locator("textarea[data-reply-text]")).to_have_value("Second try: pickup from 4 pm")

    page.locator(".msg-failed", has_text="Your order is ready").locator("[data-reuse]").click()
    expect(page.locator("textarea[data-reply-text]")).to_have_value("Your order is ready for pickup")
    page.click("[data-send]")
    expect(page.locator(".msg-staff").last).to_contain_text("Your order is ready for pickup")
    assert "Your order is ready for pickup" in _texts_to(live, HUDA)

    engine = make_engine(live.catalog_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            kept = (
                session.query(StaffMessage)
                .filter(StaffMessage.conversation_id == HUDA, StaffMessage.kind != "notify")
                .order_by(StaffMessage.id)
                .all()
            )
            assert [(m.status, m.error_code) for m in kept] == [
                ("failed", 131047),
                ("failed", 131026),
                ("sent", None),
            ]
    finally:
        engine.dispose()


def test_a_closed_window_allows_only_an_approved_template(live, web, agent_page):
    stale = time.time() - 26 * 3600
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": stale - 1},
        {"event": "session_started", "timestamp": stale - 1},
        {"event": "action", "name": "action_listen", "timestamp": stale - 1},
        {"event": "user", "text": "do you have a radiator for patrol 2016?", "timestamp": stale,
         "parse_data": {"intent": {"name": "ask_part", "confidence": 1.0}, "entities": []},
         "metadata": {"profile_name": "Salem"}},
        {"event": "bot", "text": "Let me check the radiator for you.", "timestamp": stale + 2},
    ]  # fmt: skip
    response = httpx.post(
        f"{live.rasa_url}/conversations/{SALEM}/tracker/events",
        params={"token": RASA_TOKEN},
        json=events,
        timeout=30,
    )
    response.raise_for_status()
    page = agent_page("Sara Agent")
    _take_over(page, web, SALEM)
    expect(page.locator("[data-window]")).to_contain_text("24-hour window closed 2 h")
    assert page.locator("[data-reply-form]").count() == 0  # no free-form box

    refused = page.evaluate(
        """async (url) => { const r = await window.consoleFetch(url, {method: "POST",
             headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "text=hello"});
             return [r.status, await r.text()]; }""",
        web.url(f"/console/conversations/{SALEM}/reply"),
    )
    assert refused[0] == 409 and "only an approved template" in refused[1]

    before = len(live.replies_to(SALEM))
    page.fill("input[name=param_parts_request_followup] >> nth=0", "Salem")
    page.click("[data-send-template]")
    # the confirmation waits for the Graph API and Rasa: slow on a busy machine
    expect(page.locator(".alert-ok")).to_contain_text("Sent", timeout=20_000)
    [template] = live.wait_for_replies(SALEM, before + 1)[before:]
    assert template.payload["type"] == "template"
    assert template.payload["template"]["name"] == "parts_request_followup"
    assert [p["text"] for p in template.payload["template"]["components"][0]["parameters"]] == [
        "Salem", "Sara Agent"
    ]  # fmt: skip
    expect(page.locator("[data-transcript] .msg-staff").last).to_contain_text(
        "Hello Salem, this is Sara Agent"
    )


def test_arabic_conversation_reads_right_to_left_on_a_phone(live, web, agent_page, screenshot):
    _ask_for_a_person(live, RANA, "ابي فحمات لاندكروزر 2015", "رنا", handoff="ابي اكلم موظف")
    page = agent_page("سارة", lang="ar", width=390, height=844)
    page.goto(web.url("/console/conversations"))
    expect(page.locator(".queue-row", has_text="رنا")).to_be_visible()
    screenshot(page, "live-queue-phone-ar")
    page.goto(web.url(f"/console/conversations/{RANA}"))
    bubble = page.locator(".msg-customer .msg-text", has_text="ابي فحمات").first
    expect(bubble).to_be_visible()
    assert bubble.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.click("[data-take-over]")
    page.fill("[data-reply-text]", "هلا رنا، الفحمات الأصلية متوفرة بـ 385 درهم")
    page.click("[data-send]")
    expect(page.locator(".msg-staff").last).to_contain_text("385 درهم")
    live.customer_says(RANA, "تمام، متى التوصيل؟", name="رنا")
    expect(page.locator(".msg-customer").last).to_contain_text("متى التوصيل")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at phone width ({width} px)"
    screenshot(page, "live-conversation-phone-ar")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    screenshot(page, "live-conversation-desktop-ar")


def test_rasa_down_gives_a_clear_message_and_the_reply_reaches_the_conversation_later(
    live, web, browser, tmp_path_factory
):
    from tests.browser.conftest import sign_in
    from tests.helpers.servers import free_port

    _ask_for_a_person(live, "971501230005", "hello", "Faisal")
    env = {**live.whatsapp_env, "RASA_URL": f"http://127.0.0.1:{free_port()}", "RASA_AUTH_TOKEN": RASA_TOKEN}
    cut_off = start_console(tmp_path_factory.mktemp("rasa-down"), live.catalog_url, live.tracker_db_url, env)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, cut_off, cut_off.create_staff("agent", "en", name="Noor Agent"))
        page.goto(cut_off.url("/console/conversations/971501230005"))
        expect(page.locator("[data-rasa-down]")).to_contain_text("not answering")
        expect(page.locator("[data-transcript]")).to_contain_text("hello")  # read from the tracker store
        # Already paused by the handoff: the agent takes it; Rasa cannot record the take-over, and says so.
        page.click("[data-take-over]")
        expect(page.locator("[data-error]")).to_contain_text("did not record it")
        expect(page.locator("[data-who-answers]")).to_contain_text("Noor Agent is answering")
        page.fill("[data-reply-text]", "Faisal, we will call you in 5 minutes")
        page.click("[data-send]")
        expect(page.locator("[data-error]")).to_contain_text("not yet written into the conversation history")
        assert "Faisal, we will call you in 5 minutes" in _texts_to(live, "971501230005")
        expect(page.locator(".msg-journal").last).to_contain_text("will be added automatically")
    finally:
        context.close()
        cut_off.stop()
    # The console whose Rasa is up writes it into the conversation (background retry).
    live.wait_until(
        lambda: any(
            e["event"] == "bot" and e.get("text") == "Faisal, we will call you in 5 minutes"
            for e in live.tracker("971501230005")["events"]
        ),
        timeout=40,
        what="the reply to be recorded once Rasa answers",
    )


def test_a_photo_shows_with_the_chassis_number_read_from_it(live, web, agent_page, screenshot):
    import random

    from tests.media.cards import Distortion, card_photo, make_vin

    vin = make_vin(random.Random(7), "JTM", 2016)
    photo = card_photo(vin, Distortion(angle=-3, blur=0.6, noise=15, jpeg_quality=75), seed=7)
    media_id = live.graph.fake.register_media(photo, "image/jpeg")
    live.deliver(webhooks.image(KHALID, media_id, caption="my car"), name="Khalid")
    live.wait_until(
        lambda: any(e["event"] == "user" for e in live.tracker(KHALID)["events"]),
        timeout=120,
        what="the photo",
    )
    live.customer_says(KHALID, "i want to talk to a human", name="Khalid")
    live.wait_until(lambda: live.tracker(KHALID)["paused"], what="the handoff")
    page = agent_page("Sara Agent")
    page.goto(web.url(f"/console/conversations/{KHALID}"))
    photo_line = page.locator(".msg-customer", has_text="Photo")
    expect(photo_line).to_contain_text("my car")
    expect(photo_line).to_contain_text(vin)  # what OCR read, next to the photo
    image = photo_line.locator("img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 100  # served through the console
    other = page.request.get(web.url(f"/console/conversations/{OMAR}/media/{media_id}"))
    assert other.status == 404  # only this conversation's media
    screenshot(page, "live-conversation-photo")


def test_every_live_route_needs_a_session(web):
    for path in ("/console/conversations", f"/console/conversations/{OMAR}"):
        response = httpx.get(web.url(path), follow_redirects=False, timeout=10)
        assert response.status_code == 303 and "/console/sign-in" in response.headers["location"]
    for path in (f"/console/conversations/{OMAR}/stream", f"/console/conversations/{OMAR}/media/123"):
        assert httpx.get(web.url(path), timeout=10).status_code == 401
    response = httpx.post(web.url(f"/console/conversations/{OMAR}/reply"), data={"text": "x"}, timeout=10)
    assert response.status_code in (303, 401, 403)
    assert re.search(r"sign-in|401|403", response.headers.get("location", "") + str(response.status_code))
