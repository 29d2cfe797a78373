"""Admin pages in a real browser: staff accounts and API keys."""

from __future__ import annotations

from accounts import api_keys
from tests.browser.conftest import StaffLogin, sign_in
from tests.browser.test_console_security import signed_in_client


def test_admin_creates_an_account_that_can_sign_in_then_disables_it(
    console, signed_in_page, browser, screenshot
):
    admin = signed_in_page("admin")
    admin.goto(console.url("/console/admin/staff"))
    admin.fill("input[name=username]", "Bad Name!")
    admin.fill("input[name=display_name]", "فاطمة الزهراء")
    admin.evaluate("document.querySelector('input[name=username]').removeAttribute('pattern')")
    admin.click("form[action='/console/admin/staff'] button")
    assert "username must be" in admin.locator("[role=alert]").inner_text()
    assert admin.input_value("input[name=display_name]") == "فاطمة الزهراء"  # kept

    admin.fill("input[name=username]", "fatima")
    admin.select_option("select[name=lang]", "ar")
    admin.click("form[action='/console/admin/staff'] button")
    password = admin.locator("[data-secret]").inner_text()
    assert len(password) >= 10
    screenshot(admin, "admin-staff")

    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        agent = context.new_page()
        sign_in(agent, console, StaffLogin("fatima", password, "agent"))
        assert agent.get_attribute("html", "dir") == "rtl"  # her language
        row = admin.locator("tr", has_text="fatima")
        row.locator("button[value=disable]").click()
        agent.goto(console.url("/console/leads"))
        assert "/console/sign-in" in agent.url  # her session ended at once
    finally:
        context.close()


def test_admin_creates_and_revokes_an_api_key(console, signed_in_page, screenshot):
    admin = signed_in_page("admin")
    admin.goto(console.url("/console/admin/api-keys"))
    admin.fill("input[name=name]", "website")
    admin.click("form[action='/console/admin/api-keys'] button")  # no scope chosen
    assert "at least one scope" in admin.locator("[role=alert]").inner_text()
    assert admin.input_value("input[name=name]") == "website"
    admin.check("input[value='leads:write']")
    admin.click("form[action='/console/admin/api-keys'] button")
    secret = admin.locator("[data-secret]").inner_text()
    screenshot(admin, "admin-api-keys")
    with console.db() as session:
        key = api_keys.verify_key(session, secret)
        assert key is not None and key.allows("leads:write") and not key.allows("parts:read")
    admin.locator("tr", has_text=f"cpd_{key.key_id}").locator("button").click()
    assert "Revoked" in admin.locator("tr", has_text=f"cpd_{key.key_id}").inner_text()
    assert secret not in admin.content()  # shown once only
    with console.db() as session:
        assert not api_keys.verify_key(session, secret).active


def test_an_agent_cannot_list_or_make_api_keys(console):
    client, csrf = signed_in_client(console, "agent")
    assert client.get("/console/admin/api-keys").status_code == 403
    form = {"name": "x", "scopes": "parts:read", "csrf_token": csrf}
    made = client.post("/console/admin/api-keys", data=form)
    assert made.status_code == 403
    with console.db() as session:
        assert all(k.name != "x" for k in api_keys.list_keys(session))
