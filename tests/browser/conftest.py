"""Browser-test fixtures for the staff console, shared by every console feature.

    def test_something(console, signed_in_page, screenshot):
        lead_id = console.add_lead(make="Toyota", part_query="brake pads")
        page = signed_in_page("agent")                 # a fresh, signed-in browser context
        page.goto(console.url(f"/console/leads/{lead_id}"))
        screenshot(page, "lead-page")                  # results/screenshots/lead-page.png

- ``console``: the real web service (``python -m webservice``) on a free port, with a temp SQLite
  catalog (1,000 generated sample rows) and a temp SQLite tracker store; one per test session
  (per xdist worker). ``console.create_staff(role)``, ``console.add_lead(...)`` (through the real
  domain code), ``console.add_conversation(sender, events)`` (real Rasa events, see
  tests/helpers/tracker.py), ``console.db()`` for assertions.
- ``browser``: headless Debian Chromium (``/usr/bin/chromium``) driven by Playwright.
- ``signed_in_page(role, lang="en", width=1280, height=860)``: signs a new account of that role
  in through the real form and returns the page (390 wide for phone tests).
- ``screenshot(page, name)``: a full-page PNG under results/screenshots/ — look at them.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.servers import PYTHON, ROOT, ManagedProcess, base_env, build_sample_catalog, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = ROOT / "results" / "screenshots"
PASSWORD = "console-test-password"
_names = itertools.count(1)


@dataclass
class StaffLogin:
    username: str
    password: str
    role: str


@dataclass
class ConsoleServer:
    """The running web service and its databases."""

    workdir: Path
    database_url: str
    tracker_url: str
    port: int
    process: ManagedProcess | None = None
    _engine: object = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @contextmanager
    def db(self):  # noqa: ANN201 - a SQLAlchemy Session
        from shopkernel.db import make_engine, make_session_factory, session_scope

        if self._engine is None:
            self._engine = make_engine(self.database_url)
        with session_scope(make_session_factory(self._engine)) as session:
            yield session

    def create_staff(self, role: str = "agent", lang: str = "en", name: str | None = None) -> StaffLogin:
        from accounts.staff import create_user

        username = f"{role}{next(_names)}-{os.getpid()}"
        with self.db() as session:
            create_user(session, username, PASSWORD, role, name or f"{role.title()} {username[-6:]}", lang)
        return StaffLogin(username, PASSWORD, role)

    def add_lead(self, **values) -> int:  # noqa: ANN003 - LeadDraft fields
        """A lead written by the same domain code the assistant uses."""
        from catalog.leads import LeadDraft, record_lead

        values.setdefault("channel_user_id", f"97150{next(_names):07d}")
        values.setdefault("conversation_id", values["channel_user_id"])
        values.setdefault("kind", "quote")
        with self.db() as session:
            return record_lead(session, LeadDraft(**values)).id

    def add_conversation(self, sender_id: str, events: list) -> None:
        from tests.helpers.tracker import save_conversation

        save_conversation(self.tracker_url, sender_id, events)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        if self._engine is not None:
            self._engine.dispose()


def start_console(
    workdir: Path, database_url: str, tracker_url: str, env: dict | None = None
) -> ConsoleServer:
    """Start ``python -m webservice`` against these databases on a free port."""
    server = ConsoleServer(workdir, database_url, tracker_url, free_port())
    server.process = ManagedProcess(
        name="web service",
        args=[PYTHON, "-m", "webservice"],
        env=base_env({
            "DATABASE_URL": database_url,
            "TRACKER_DB_URL": tracker_url,
            "SHOP_API_PORT": str(server.port),
            **(env or {}),
        }),
        log_path=workdir / "web.log",
        ready_url=f"http://127.0.0.1:{server.port}/console/sign-in",
        timeout_s=60,
    ).start()
    return server


@pytest.fixture(scope="session")
def console(tmp_path_factory) -> Iterator[ConsoleServer]:
    workdir = tmp_path_factory.mktemp("console")
    database_url = build_sample_catalog(workdir / "catalog.db", rows=1000)
    server = start_console(workdir, database_url, f"sqlite:///{workdir / 'tracker.db'}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 - a playwright Browser
    """Per module, not per session: Playwright's sync API keeps an asyncio loop running on this
    thread while it is open, which breaks async tests (pytest-asyncio) that run after it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/system-deps installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in(page, console: ConsoleServer, login: StaffLogin) -> None:  # noqa: ANN001
    page.goto(console.url("/console/sign-in"))
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", login.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/sign-in" not in url)


@pytest.fixture
def signed_in_page(browser, console):  # noqa: ANN001, ANN201
    """``signed_in_page(role, lang="en", width=1280, height=860)`` → a signed-in Page."""
    contexts = []

    def open_page(role: str = "agent", lang: str = "en", width: int = 1280, height: int = 860,
                  login: StaffLogin | None = None):  # noqa: ANN202
        login = login or console.create_staff(role, lang)
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, console, login)
        page.login = login
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous_page(browser):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():  # noqa: ANN201
    """``screenshot(page, name)``: a full-page PNG in results/screenshots/; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:  # noqa: ANN001
        path = SCREENSHOTS / f"{name}.png"
        page.evaluate("window.scrollTo(0, 0)")  # else the sticky top bar is drawn mid-page
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
