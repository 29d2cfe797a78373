"""The leads inbox and lead page in a real browser: data, workflow, filters, export, escaping."""

from __future__ import annotations

import csv
import io
import re
import time
from decimal import Decimal

import httpx
from sqlalchemy import select

from catalog.schema import Lead, LeadEvent, Part
from tests.browser.test_console_security import signed_in_client
from tests.helpers.tracker import bot, customer

WIDER_THAN_SCREEN = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
WIDEST = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
  document.documentElement.clientWidth + 1 || e.getBoundingClientRect().left < -1).slice(0, 5)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().left) + '..' +
  Math.round(e.getBoundingClientRect().right))"""
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def _parts(console, n: int = 3) -> list[Part]:
    with console.db() as session:
        return list(session.execute(select(Part).where(Part.stock > 0).order_by(Part.id).limit(n)).scalars())


def _shown(part: Part, price: str) -> dict:
    return {
        "sku": part.sku, "part_id": part.id, "name": part.name, "brand": part.brand,
        "part_number": part.part_number, "price_aed": price, "stock": part.stock, "condition": part.condition,
    }


def test_lead_page_shows_everything_an_agent_needs_with_todays_price(console, signed_in_page, screenshot):
    chosen, other, _ = _parts(console)
    phone = "971501234567"
    old_price = str(chosen.price_aed + 25)  # the price has changed since the customer chose
    lead_id = console.add_lead(
        channel_user_id=phone, conversation_id=phone, customer_name="عبدالله المنصوري", kind="quote",
        make="Toyota", model="Land Cruiser", year=2015, vin="JTMHV05J504123456", part_query="فحمات",
        part_id=chosen.id, sku=chosen.sku, price_aed=Decimal(old_price),
        details={"language": "ar", "last_message": "ابي فحمات لاندكروزر 2015",
                 "name": chosen.name, "brand": chosen.brand, "part_number": chosen.part_number,
                 "items_shown": [_shown(chosen, old_price), _shown(other, str(other.price_aed))]},
    )
    console.add_conversation(phone, [
        customer("ابي فحمات لاندكروزر 2015", metadata={"profile_name": "عبدالله"}),
        bot("وجدت 2 قطع:", buttons=[chosen.name[:20], other.name[:20]]),
        customer(f'/choose_part{{"sku": "{chosen.sku}"}}', intent="choose_part",
                 metadata={"reply_title": chosen.name[:20]}),
        bot(f"تم تسجيل طلبك رقم {lead_id}"),
        customer("كم سعر التوصيل للشارقة؟ " + XSS, intent="ask_store_info"),
    ])
    page = signed_in_page("agent", width=1280)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(console.url(f"/console/leads/{lead_id}"))

    facts = page.locator("#h-customer + .facts").inner_text()
    assert "عبدالله المنصوري" in facts and "+971501234567" in facts and "Arabic" in facts
    vehicle = page.locator("#h-vehicle + .facts").inner_text()
    assert "Land Cruiser" in vehicle and "2015" in vehicle and "JTMHV05J504123456" in vehicle
    rows = page.locator("table.items tbody tr")
    assert rows.count() == 2
    first = rows.nth(0).inner_text()
    assert "Chosen" in first and f"AED {chosen.price_aed:,.2f}" in first and "changed" in first
    assert f"AED {Decimal(old_price):,.2f}" in first and str(chosen.stock) in first
    transcript = page.locator(".transcript").inner_text()
    assert "ابي فحمات لاندكروزر 2015" in transcript and "Tapped:" in transcript
    # Arabic customer text reads right-to-left inside the English page
    line = page.locator(".msg-customer .msg-text").first
    assert page.evaluate("(el) => getComputedStyle(el).direction", line.element_handle()) == "rtl"
    # HTML typed by a customer is shown as text, never run
    assert XSS in transcript
    assert page.evaluate("window.__xss") is None and dialogs == []
    assert page.locator(".transcript img").count() == 0
    screenshot(page, "lead-page-arabic-customer")
    phone_page = signed_in_page("agent", lang="ar", width=390, height=900)
    phone_page.goto(console.url(f"/console/leads/{lead_id}"))
    screenshot(phone_page, "lead-page-ar-390")
    assert phone_page.evaluate(WIDER_THAN_SCREEN) <= 0, phone_page.evaluate(WIDEST)


def test_customer_name_with_html_is_shown_as_text_in_the_inbox(console, signed_in_page):
    console.add_lead(customer_name=XSS[:120], part_query="<b>pads</b>")
    page = signed_in_page("agent")
    page.goto(console.url("/console/leads"))
    assert XSS[:120] in page.locator(".lead-list").inner_text()
    assert page.locator(".lead-list img, .lead-list b").count() == 0
    assert page.evaluate("window.__xss") is None


def test_status_workflow_notes_assignment_and_history(console, signed_in_page, screenshot):
    lead_id = console.add_lead(customer_name="Workflow Customer", make="Nissan", part_query="radiator")
    colleague = console.create_staff("agent", name="Maryam Ali")
    page = signed_in_page("agent")
    page.goto(console.url(f"/console/leads/{lead_id}"))

    # lost without a reason: refused with a clear message, the choice is kept
    page.check("input[name=status][value=lost]")
    page.evaluate("document.querySelector('input[name=reason]').required = false")  # as if JS failed
    page.click("[data-status-form] button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "say why the lead was lost"
    assert page.is_checked("input[name=status][value=lost]")

    # a note that is too long is refused and the text stays in the box
    long_note = "ملاحظة " * 400
    page.evaluate("document.querySelector('#note-text').removeAttribute('maxlength')")
    page.fill("#note-text", long_note)
    page.click("form[action$='/note'] button")
    assert "longer than 2000" in page.locator("[role=alert]").inner_text()
    assert page.input_value("#note-text") == long_note

    page.fill("#note-text", "Called him, wants genuine only — سيزورنا غداً")
    page.click("form[action$='/note'] button")
    page.select_option("select[name=username]", colleague.username)
    page.click("form[action$='/assign'] button")
    page.check("input[name=status][value=contacted]")
    page.click("[data-status-form] button[type=submit]")
    page.check("input[name=status][value=lost]")
    page.fill("input[name=reason]", "Price too high")
    page.click("[data-status-form] button[type=submit]")

    history = page.locator("#history").inner_text()
    assert "moved it from Contacted to Lost: Price too high" in history
    assert "assigned it to Maryam Ali" in history and "سيزورنا غداً" in history
    assert page.locator("h1 .status").inner_text() == "Lost"
    screenshot(page, "lead-page-history")
    with console.db() as session:
        lead = session.get(Lead, lead_id)
        assert (lead.status, lead.lost_reason) == ("lost", "Price too high")
        assert lead.assigned_to == colleague.username
        history = session.execute(select(LeadEvent).where(LeadEvent.lead_id == lead_id)).scalars()
        kinds = [e.kind for e in history]
        assert kinds == ["note", "assign", "status", "status"]


def test_inbox_new_first_filters_and_search(console, signed_in_page):
    tag = str(int(time.time() * 1000))[-6:]
    old_new = console.add_lead(channel_user_id=f"97155{tag}01", customer_name=f"F{tag} new", make="Mazda",
                               kind="not_found")
    won = console.add_lead(channel_user_id=f"97155{tag}02", customer_name=f"F{tag} won", make="Mazda",
                           sku=f"MAZ-{tag}", kind="quote")
    with console.db() as session:
        from catalog.lead_workflow import change_status

        change_status(session, session.get(Lead, won), "won", "test")
    page = signed_in_page("agent")
    page.goto(console.url("/console/leads?make=mazda"))
    names = page.locator(".lead-name").all_inner_texts()
    assert names.index(f"F{tag} new") < names.index(f"F{tag} won")  # new leads first
    page.goto(console.url(f"/console/leads?q=%2B97155{tag}02"))  # phone as typed, with +
    assert page.locator(".lead-name").all_inner_texts() == [f"F{tag} won"]
    page.goto(console.url(f"/console/leads?q=maz-{tag}"))  # part number / sku, any case
    assert page.locator(".lead-name").all_inner_texts() == [f"F{tag} won"]
    page.goto(console.url("/console/leads?kind=not_found&make=Mazda"))
    assert f"F{tag} new" in page.locator(".lead-list").inner_text()
    assert f"F{tag} won" not in page.locator(".lead-list").inner_text()
    # the filter form: status Won, then Show
    page.goto(console.url("/console/leads?make=Mazda"))  # a filter is set: the filter panel is open
    page.select_option("select[name=status]", "won")
    page.click(".filter-buttons button[type=submit]")
    assert page.locator(".lead-name").all_inner_texts() == [f"F{tag} won"]
    assert old_new


def test_bad_filter_is_explained_and_kept(console, signed_in_page):
    page = signed_in_page("agent")
    answer = page.goto(console.url("/console/leads?date_from=31-12-2026&q=04465"))
    assert answer.status == 400
    alert = page.locator("[role=alert]").inner_text()
    assert "not understood" in alert and "31-12-2026" in alert
    assert page.input_value("input[name=q]") == "04465"


def test_csv_export_of_the_filtered_list_opens_in_excel_with_arabic(console):
    tag = str(int(time.time() * 1000))[-6:]
    console.add_lead(channel_user_id=f"97156{tag}01", customer_name="مريم الكعبي", make=f"Make{tag}",
                     part_query="=HYPERLINK(\"http://evil\")")
    console.add_lead(channel_user_id=f"97156{tag}02", customer_name="Other", make="Other")
    client, _ = signed_in_client(console)
    answer = client.get("/console/leads.csv", params={"make": f"Make{tag}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Arabic right
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0]["customer_name"] == "مريم الكعبي"
    assert rows[0]["part_query"].startswith("'=")  # no formula runs in a spreadsheet
    assert rows[0]["phone"] == f"97156{tag}01"


# Records what the page does when a lead arrives: browser notifications and chime tones.
RECORD_SIGNALS = """
window.__notes = []; window.__tones = 0;
window.Notification = class {
  constructor(title, options) { window.__notes.push([title, options.body]); }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
const RealAudio = window.AudioContext;
window.AudioContext = class extends RealAudio {
  createOscillator() { window.__tones += 1; return super.createOscillator(); }
};
Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
"""


def test_new_lead_is_signalled_with_sound_notification_and_badge(console, browser):
    from tests.browser.conftest import sign_in

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["notifications"], origin=console.base_url)
    context.add_init_script(RECORD_SIGNALS)
    page = context.new_page()
    try:
        sign_in(page, console, console.create_staff("agent"))
        page.goto(console.url("/console/leads"))
        page.wait_for_timeout(1500)  # the stream is open and has its starting point
        lead_id = console.add_lead(customer_name="سالم", part_query="Oil Filter", make="Kia")
        toast = page.locator(".toast")
        toast.wait_for(timeout=5000)
        assert "سالم" in toast.inner_text() and "Oil Filter" in toast.inner_text()
        assert toast.locator("a").get_attribute("href") == f"/console/leads/{lead_id}"
        assert page.locator("[data-new-leads]").inner_text() == "1"
        assert page.evaluate("window.__notes")[0][0] == "New lead"
        assert page.evaluate("window.__tones") >= 1
    finally:
        context.close()


def test_event_stream_requires_a_session(console):
    answer = httpx.get(console.url("/console/events"), timeout=10)
    assert answer.status_code == 401
    assert re.search("sign in", answer.text)
