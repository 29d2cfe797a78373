"""Console security: sessions, roles, CSRF, lock-out, escaping, unknown ids (real server)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import PASSWORD

DATA_ROUTES = {"/console/events", "/console/leads.csv"}
PUBLIC = {"/console/sign-in"}


def _console_routes() -> list[tuple[str, str]]:
    """Every console route of the real application, with sample path values filled in."""
    from webservice.app import create_app
    from webservice.settings import WebSettings

    app = create_app(WebSettings(database_url="sqlite://", tracker_db_url=None))
    routes = []
    for route in app.routes:
        path = getattr(route, "path", "")
        if not path.startswith("/console") or path.startswith("/console/static") or path in PUBLIC:
            continue
        concrete = re.sub(r"\{path:path\}", "no-such-page", path)
        concrete = re.sub(r"\{[a-z_]+\}", "1", concrete)
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                routes.append((method, concrete))
    return routes


def _client(console) -> httpx.Client:  # noqa: ANN001
    return httpx.Client(base_url=console.base_url, follow_redirects=False, timeout=20)


def signed_in_client(console, role: str = "agent", login=None) -> tuple[httpx.Client, str]:  # noqa: ANN001
    """An HTTP client with a real session cookie, and that session's CSRF token."""
    login = login or console.create_staff(role)
    client = _client(console)
    page = client.get("/console/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/console/sign-in", data={"username": login.username, "password": PASSWORD,
                                                 "csrf_token": token})
    assert answer.status_code == 303, answer.text
    home = client.get("/console/account")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', home.text).group(1)
    return client, csrf


def test_every_console_route_without_a_session_redirects_pages_and_refuses_data(console):
    routes = _console_routes()
    assert ("GET", "/console/leads") in routes and ("POST", "/console/admin/staff") in routes
    with _client(console) as client:
        for method, path in routes:
            answer = client.request(method, path)
            if path in DATA_ROUTES:
                assert answer.status_code == 401, (method, path, answer.status_code)
            else:
                assert answer.status_code in (303, 401), (method, path, answer.status_code)
                if answer.status_code == 303:
                    assert answer.headers["location"].startswith("/console/sign-in"), (method, path)


def test_post_without_or_with_a_wrong_csrf_token_is_refused(console):
    lead_id = console.add_lead(customer_name="CSRF test")
    client, csrf = signed_in_client(console)
    missing = client.post(f"/console/leads/{lead_id}/note", data={"text": "hello"})
    wrong = client.post(f"/console/leads/{lead_id}/note", data={"text": "hello", "csrf_token": "x" * 40})
    other_header = client.post(f"/console/leads/{lead_id}/note", data={"text": "hi"},
                               headers={"X-CSRF-Token": "nope"})
    assert (missing.status_code, wrong.status_code, other_header.status_code) == (403, 403, 403)
    assert "Form expired" in missing.text
    ok_form = client.post(f"/console/leads/{lead_id}/note", data={"text": "by form", "csrf_token": csrf})
    ok_fetch = client.post(f"/console/leads/{lead_id}/note", data={"text": "by fetch"},
                           headers={"X-CSRF-Token": csrf})
    assert (ok_form.status_code, ok_fetch.status_code) == (303, 303)
    with console.db() as session:
        from catalog.schema import LeadEvent

        notes = [e.text for e in session.query(LeadEvent).filter_by(lead_id=lead_id, kind="note")]
    assert notes == ["by form", "by fetch"]


def test_sign_in_form_needs_its_csrf_cookie(console):
    login = console.create_staff("agent")
    with _client(console) as client:
        answer = client.post("/console/sign-in", data={"username": login.username, "password": PASSWORD})
        assert answer.status_code == 403
        assert "console_session" not in answer.headers.get("set-cookie", "")


def test_an_agent_cannot_reach_admin_pages_or_actions(console):
    client, csrf = signed_in_client(console, "agent")
    target = console.create_staff("agent")
    assert client.get("/console/admin/staff").status_code == 403
    created = client.post("/console/admin/staff", data={"username": "sneaky", "csrf_token": csrf})
    assert created.status_code == 403
    with console.db() as session:
        from accounts.staff import find_user

        user_id = find_user(session, target.username).id
        assert find_user(session, "sneaky") is None
    disabled = client.post(f"/console/admin/staff/{user_id}", data={"action": "disable", "csrf_token": csrf})
    assert disabled.status_code == 403
    assert "Staff" not in client.get("/console/leads").text.split("<main")[0]  # no admin link
    with console.db() as session:
        assert find_user(session, target.username).disabled is False


def test_designer_cannot_open_the_leads_inbox(console):
    client, _ = signed_in_client(console, "designer")
    assert client.get("/console/leads").status_code == 403
    assert client.get("/console/leads.csv").status_code == 403


def test_unknown_lead_and_malformed_id_are_404_pages(console):
    client, _ = signed_in_client(console)
    for path in ("/console/leads/987654321", "/console/leads/abc", "/console/no-such-page"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Not found" in answer.text and "Traceback" not in answer.text


def test_account_locks_after_repeated_failures_even_with_the_right_password(console):
    login = console.create_staff("agent")
    with _client(console) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/sign-in").text).group(1)

        def attempt(password: str) -> httpx.Response:
            return client.post("/console/sign-in", data={
                "username": login.username, "password": password, "csrf_token": token})

        answers = [attempt("wrong-password-123").status_code for _ in range(5)]
        assert answers == [401] * 5
        locked = attempt(PASSWORD)
        assert locked.status_code == 429 and "Too many wrong passwords" in locked.text
        assert "console_session" not in locked.headers.get("set-cookie", "")


def test_session_cookie_flags_and_sign_out_ends_the_session(console):
    login = console.create_staff("agent")
    with _client(console) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/sign-in").text).group(1)
        answer = client.post("/console/sign-in", data={
            "username": login.username, "password": PASSWORD, "csrf_token": token})
        cookie = [c for c in answer.headers.get_list("set-cookie") if c.startswith("console_session=")][0]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/console" in cookie
        assert "Secure" not in cookie  # plain HTTP here; see test below for HTTPS
        stolen = client.cookies.get("console_session")
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/console/account").text).group(1)
        assert client.post("/console/sign-out", data={"csrf_token": csrf}).status_code == 303
    with _client(console) as replay:
        replay.cookies.set("console_session", stolen, path="/console")
        assert replay.get("/console/leads").status_code == 303  # the old cookie no longer works


def test_cookie_is_secure_behind_https():
    from fastapi.testclient import TestClient

    from webservice.app import create_app
    from webservice.console.security import secure_cookies
    from webservice.settings import WebSettings

    app = create_app(WebSettings(database_url="sqlite://", tracker_db_url=None))
    with TestClient(app, base_url="https://console.example") as client:
        answer = client.get("/console/sign-in")
        assert "Secure" in answer.headers["set-cookie"]
    assert secure_cookies  # the same helper sets the session cookie


@pytest.mark.parametrize("role", ["agent"])
def test_disabled_account_is_signed_out_at_once(console, role):
    from accounts.staff import find_user, set_disabled

    login = console.create_staff(role)
    client, _ = signed_in_client(console, login=login)
    assert client.get("/console/leads").status_code == 200
    with console.db() as session:
        set_disabled(session, find_user(session, login.username), True)
    assert client.get("/console/leads").status_code == 303
