"""The console in a real browser: sign-in, layout in English and Arabic, desktop and phone width."""

from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}


def test_sign_in_page_and_wrong_password_keeps_the_username(anonymous_page, console, screenshot):
    login = console.create_staff("agent")
    page = anonymous_page
    page.goto(console.url("/console/leads"))
    assert "/console/sign-in" in page.url  # a page asked for without a session
    screenshot(page, "sign-in")
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "Wrong username or password."
    assert page.input_value("input[name=username]") == login.username
    page.fill("input[name=password]", login.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/leads")  # back to the page first asked for
    assert page.locator("h1").inner_text() == "Leads"


def test_sign_in_page_in_arabic_is_right_to_left(anonymous_page, console, screenshot):
    page = anonymous_page
    page.set_viewport_size(PHONE)
    page.goto(console.url("/console/sign-in?lang=ar"))
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert page.locator("h1").inner_text() == "تسجيل الدخول"
    screenshot(page, "sign-in-ar-phone")


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 390])
def test_inbox_layout_by_language_and_width(console, signed_in_page, screenshot, lang, width):
    console.add_lead(customer_name="محمد الهاشمي", make="Toyota", model="Land Cruiser", year=2015,
                     part_query="فحمات", kind="not_found")
    console.add_lead(customer_name="Rahul Nair", make="Nissan", model="Patrol", year=2018,
                     part_query="Brake Pads", sku="NIS-BP-0001", price_aed=420, kind="quote")
    page = signed_in_page("agent", lang=lang, width=width, height=900)
    page.goto(console.url("/console/leads"))
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
    # nothing wider than the screen: no sideways scrolling on a phone
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the {width}px screen"
    name = page.locator(".lead-name bdi", has_text="محمد الهاشمي").first
    assert name.get_attribute("dir") == "auto"
    assert page.evaluate("(el) => getComputedStyle(el).direction", name.element_handle()) == "rtl"
    screenshot(page, f"inbox-{lang}-{width}")
