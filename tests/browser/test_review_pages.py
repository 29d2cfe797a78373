"""Conversation review and analytics in a real browser (issue 16).

The web service runs on a tracker store holding the conversations recorded through the real
Rasa and action servers (tests/insights/recorded/, moved to the last hour), and writes reviewed
examples and test stories into a temp copy of the project (``REVIEW_PROJECT_DIR``), never into
this checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from insights.store import EVENTS
from tests.browser.conftest import start_console
from tests.helpers.servers import ROOT, build_sample_catalog
from tests.insights.conftest import recent_rows

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("review-project")
    shutil.copytree(ROOT / "data" / "nlu", root / "data" / "nlu")
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    (root / "tests" / "stories").mkdir(parents=True)
    return root


@pytest.fixture(scope="module")
def console(tmp_path_factory, project):
    """The console of tests/browser/conftest.py, on recorded conversations and a project copy."""
    workdir = tmp_path_factory.mktemp("review-console")
    tracker = workdir / "tracker.db"
    engine = sa.create_engine(f"sqlite:///{tracker}")
    EVENTS.create(engine)
    with engine.begin() as conn:
        conn.execute(EVENTS.insert(), recent_rows())
    engine.dispose()
    env = {"REVIEW_PROJECT_DIR": str(project), "REVIEW_LOG_PATH": str(workdir / "corrections.jsonl")}
    server = start_console(workdir, build_sample_catalog(workdir / "catalog.db", rows=1000),
                           f"sqlite:///{tracker}", env=env)  # fmt: skip
    yield server
    server.stop()


def no_sideways_scroll(page) -> None:  # noqa: ANN001
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the screen"


def select_text(page, event: int, start: int, end: int) -> None:  # noqa: ANN001
    """Select characters of a message the way a mouse drag does (a DOM range in the text)."""
    page.evaluate(
        """([event, start, end]) => {
            const el = document.querySelector(`#event-${event} [data-selectable]`);
            const range = document.createRange();
            range.setStart(el.firstChild, start); range.setEnd(el.firstChild, end);
            const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
        }""",
        [event, start, end],
    )


def test_review_queue_lists_flagged_conversations_with_counts_and_filters(
    console, signed_in_page, screenshot
):
    page = signed_in_page("designer")
    page.goto(console.url("/console/review"))
    assert page.locator("h1").inner_text() == "Conversation review"
    counts = {a.get_attribute("data-marker"): int(a.locator(".marker-n").inner_text())
              for a in page.locator(".marker-count").all()}  # fmt: skip
    assert counts["nlu_fallback"] == 2 and counts["handoff"] == 1 and counts["abandoned"] == 2  # + restarted
    assert counts["rephrased"] == 1 and counts["asked_twice"] == 1 and counts["nothing_found"] == 1
    rows = page.locator("[data-conversation]")
    assert rows.count() == 8  # 8 of the 12 recorded conversations carry a marker
    assert page.locator("[data-conversation='971500000101:1']").count() == 0  # smooth: not queued
    assert "9715****0110" in page.locator("[data-conversation='971500000110:1']").inner_text()  # masked
    screenshot(page, "review-queue")
    page.click(".marker-count[data-marker=handoff]")
    assert [r.get_attribute("data-conversation") for r in page.locator("[data-conversation]").all()] == [
        "971500000105:1"
    ]
    page.goto(console.url("/console/review?all=1&language=ar"))
    assert [r.get_attribute("data-conversation") for r in page.locator("[data-conversation]").all()] == [
        "971500000102:1"
    ]


def test_review_queue_in_arabic_at_phone_width(console, signed_in_page, screenshot):
    page = signed_in_page("designer", lang="ar", **PHONE)
    page.goto(console.url("/console/review?all=1"))
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "مراجعة المحادثات"
    no_sideways_scroll(page)
    screenshot(page, "review-queue-ar-390")
    page.goto(console.url("/console/review/conversations/971500000102/1"))
    text = page.locator("#event-4 [data-customer-text]")
    assert "فحمات" in text.inner_text()
    assert page.evaluate("(el) => getComputedStyle(el).direction", text.element_handle()) == "rtl"
    no_sideways_scroll(page)
    screenshot(page, "review-conversation-ar-390")


def test_conversation_view_shows_intent_confidence_entities_slots_and_actions(
    console, signed_in_page, screenshot
):
    page = signed_in_page("designer")
    page.goto(console.url("/console/review/conversations/971500000110/1"))
    turn = page.locator("#event-27")  # "land cruiser 2016"
    assert turn.locator("[data-intent]").inner_text() == "inform"
    assert [m.get_attribute("data-entity") for m in turn.locator("mark.entity").all()] == ["model", "year"]
    assert "action_search_parts" in turn.inner_text() and "utter_results" in turn.inner_text()
    turn.locator("details.slots summary").click()
    assert "Land Cruiser" in turn.locator(".slot-table").inner_text()
    wrong = page.locator("#event-19")  # "the red one" read as choose_part
    assert wrong.locator("[data-intent]").inner_text() == "choose_part"
    assert "Question asked twice" in wrong.inner_text()
    screenshot(page, "review-conversation")


def test_correction_with_an_entity_span_is_saved_to_the_nlu_file(
    console, signed_in_page, project, screenshot
):
    page = signed_in_page("designer")
    page.goto(console.url("/console/review/conversations/971500000103/1"))  # "abi fa7mat patrol 2018"
    turn = page.locator("#event-4")
    turn.locator("details.correct summary").click()
    form = turn.locator("[data-correct-form]")
    form.locator("[data-intent-select]").select_option("request_part")
    select_text(page, 4, 4, 10)  # fa7mat
    form.locator("[data-entity-select]").select_option("part")
    form.locator("[data-value-input]").fill("Brake Pads")
    form.locator("[data-mark]").click()
    assert "[fa7mat]" in form.locator("[data-preview]").inner_text()
    screenshot(page, "review-correction-marked")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**saved=4**")
    assert page.locator("[data-feedback=saved]").is_visible()
    written = (project / "data" / "nlu" / "reviewed.yml").read_text(encoding="utf-8")
    part, model = '{"entity": "part", "value": "Brake Pads"}', '{"entity": "model", "value": "Patrol"}'
    assert f"- abi [fa7mat]{part} [patrol]{model} [2018](year)" in written  # the NLU's own entities kept
    assert yaml.safe_load(written)["nlu"][0]["intent"] == "request_part"


def test_conflicting_correction_is_shown_and_not_written(console, signed_in_page, project):
    page = signed_in_page("designer")
    page.goto(console.url("/console/review/conversations/971500000101/1"))
    turn = page.locator("#event-9")  # "need brake pads", an example of request_part in parts.yml
    turn.locator("details.correct summary").click()
    turn.locator("[data-intent-select]").select_option("inform")
    turn.locator("button[type=submit]").click()
    alert = page.locator("[data-feedback=conflict]")
    assert "data/nlu/parts.yml" in alert.inner_text() and "request_part" in alert.inner_text()
    reviewed = project / "data" / "nlu" / "reviewed.yml"
    assert not reviewed.exists() or "need brake pads" not in reviewed.read_text(encoding="utf-8")


def test_save_as_test_story_writes_a_story_with_the_correction(console, signed_in_page, project, screenshot):
    page = signed_in_page("designer")
    page.goto(console.url("/console/review/conversations/971500000110/1"))
    wrong = page.locator("#event-19")
    wrong.locator("details.correct summary").click()
    wrong.locator("[data-intent-select]").select_option("inform")
    wrong.locator("button[type=submit]").click()
    page.wait_for_url("**saved=19**")
    page.fill("input[name=note]", "unknown model asked twice")
    page.click("[data-save-story]")
    saved = page.locator("[data-story-saved]")
    assert "tests/stories/reviewed/" in saved.inner_text()
    screenshot(page, "review-story-saved")
    [path] = (project / "tests" / "stories" / "reviewed").glob("*.yml")
    story = yaml.safe_load(path.read_text(encoding="utf-8"))["stories"][0]
    assert "unknown model asked twice" in story["story"]
    users = [(s["user"].strip(), s["intent"]) for s in story["steps"] if "user" in s]
    assert ("the red one", "inform") in users


def test_analytics_page_with_charts_and_csv(console, signed_in_page, screenshot):
    page = signed_in_page("admin")
    page.goto(console.url("/console/analytics"))
    funnel = page.locator("[data-chart=funnel] .bar-row")
    assert funnel.count() == 7 and "12" in funnel.first.inner_text()
    assert "Battery Honda CR-V" in page.locator("[data-chart=not_found]").inner_text()
    assert "Alternator Mitsubishi Pajero" in page.locator("[data-chart=out_of_stock]").inner_text()
    assert page.locator("[data-chart=rates] svg polyline").count() == 2
    screenshot(page, "analytics")
    with page.expect_download() as download:
        page.locator("[data-chart=not_found] [data-csv]").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("rank,kind,part,make,model") and "Battery,Honda,CR-V" in lines[1]
    phone = signed_in_page("admin", lang="ar", **PHONE)
    phone.goto(console.url("/console/analytics"))
    no_sideways_scroll(phone)
    screenshot(phone, "analytics-ar-390")


def test_agents_cannot_review_and_designers_cannot_see_analytics(console, signed_in_page):
    agent = signed_in_page("agent")
    assert agent.goto(console.url("/console/review")).status == 403
    designer = signed_in_page("designer")
    assert designer.goto(console.url("/console/analytics")).status == 403
    response = designer.request.post(console.url("/console/review/conversations/971500000103/1/correct"),
                                     form={"event_index": "4", "intent": "inform"})  # fmt: skip
    assert response.status == 403  # no CSRF token
