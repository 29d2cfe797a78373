"""The interactive API docs in a real browser (Chromium): they load with no network beyond this
server, list every operation, and "Try it out" runs an Arabic search against the real service."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.conftest import browser, console, screenshot  # noqa: F401 - shared fixtures


def _offline_page(browser, width: int):  # noqa: ANN001, ANN202, F811
    context = browser.new_context(viewport={"width": width, "height": 900})
    outside: list[str] = []

    def only_local(route):  # noqa: ANN001 - a playwright Route
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page, outside


def test_docs_work_offline_and_try_it_out_searches(browser, console, screenshot):  # noqa: F811
    context, page, outside = _offline_page(browser, 1280)
    try:
        page.goto(console.url("/api/docs"))
        page.wait_for_selector(".opblock-summary-path")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert {"/api/v1/parts", "/api/v1/parts/{sku}", "/api/v1/leads", "/api/v1/vehicles/decode"} <= {
            p.replace("\u200b", "") for p in paths
        }
        page.locator(".opblock-get", has=page.locator('[data-path="/api/v1/parts"]')).first.locator(
            ".opblock-summary"
        ).click()
        page.get_by_role("button", name="Try it out").first.click()
        page.locator('tr[data-param-name="q"] input').fill("فحمات لاندكروزر 2015")
        for name in ("make", "model", "year", "part", "number", "brand"):
            page.locator(f'tr[data-param-name="{name}"] input').fill("")
        page.get_by_role("button", name="Execute").first.click()
        page.wait_for_selector(".live-responses-table tbody .response-col_status")
        status = page.locator(".live-responses-table tbody .response-col_status").first.inner_text()
        body = page.locator(".live-responses-table .highlight-code").first.inner_text()
        assert status.strip().startswith("200"), status
        assert '"Brake Pads"' in body and '"Land Cruiser"' in body
        screenshot(page, "api-docs-try-it-out")
        assert outside == [], f"the docs page tried to load from outside: {outside}"
    finally:
        context.close()


def test_docs_readable_at_phone_width(browser, console, screenshot):  # noqa: F811
    context, page, outside = _offline_page(browser, 390)
    try:
        page.goto(console.url("/api/docs"))
        page.wait_for_selector(".opblock-summary-path")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 420, f"the docs page scrolls sideways at phone width ({width}px)"
        screenshot(page, "api-docs-phone")
        assert outside == []
    finally:
        context.close()
