"""What staff send, checked against Meta's rules (the fake Graph API's validator) and in words agents read."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.whatsapp import outbound
from connectors.whatsapp.errors import GraphApiError, GraphNetworkError
from connectors.whatsapp.sender import SendOutcome
from conversation.items import ShownItem
from simulator.validation import check_message
from webservice.console.conversations.service import explain, is_paused, parts_message
from webservice.console.conversations.templates_config import TemplateConfigError, load_templates
from webservice.console.conversations.tracker_events import TrackerEvent
from webservice.live_settings import DEFAULT_TEMPLATES_PATH

CUSTOMER = "971501234567"


def _item(
    n: int, name: str = "Front Brake Pad Set Ceramic Low Dust For Heavy Duty Use", stock: int = 4
) -> ShownItem:
    return ShownItem(
        f"TOY-BP-{n:04d}", n, name, "Toyota Genuine", f"04465-6032{n}", "385.00", stock, "genuine"
    )


def test_one_part_is_a_card_with_one_button_meta_accepts():
    message, summary = parts_message([_item(1)])
    assert check_message(outbound.envelope(CUSTOMER, message)) == "interactive"
    interactive = message["interactive"]
    assert interactive["type"] == "button"
    assert len(interactive["header"]["text"]) <= 60
    [button] = interactive["action"]["buttons"]
    assert (
        button["reply"]["id"] == '/choose_part{"sku":"TOY-BP-0001"}'
    )  # a tap is understood like the bot's lists
    assert "AED 385" in interactive["body"]["text"] and "04465-60321" in summary


def test_several_parts_are_a_list_within_metas_limits():
    items = [_item(n, stock=0 if n == 2 else 3) for n in range(1, 11)]
    message, summary = parts_message(items)
    assert check_message(outbound.envelope(CUSTOMER, message)) == "interactive"
    rows = message["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 10 and all(
        len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows
    )
    assert rows[1]["id"] == '/choose_part{"sku":"TOY-BP-0002"}' and "⏳" in rows[1]["description"]
    assert len(message["interactive"]["body"]["text"]) <= 1024
    assert summary.count("\n") == 9


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (GraphApiError(131047, "(#131047) Re-engagement message", 400), "send an approved template instead"),
        (GraphApiError(131026, "(#131026) Message undeliverable", 400), "WhatsApp refused this message"),
        (GraphApiError(190, "Error validating access token", 401), "ask the admin to renew it"),
        (GraphApiError(131000, "(#131000) Something went wrong", 500), "try again in a few minutes"),
        (GraphNetworkError("ClientConnectorError: refused"), "No answer from WhatsApp"),
    ],
)
def test_a_refusal_is_explained_with_metas_code_and_what_to_do(error, words):
    text = explain(SendOutcome(wamid=None, error=error))
    assert words in text
    if error.code != -1:
        assert f"Meta error {error.code}" in text and error.message in text


def test_paused_follows_rasas_own_rules():
    def events(*kinds: str) -> list[TrackerEvent]:
        return [TrackerEvent(n, CUSTOMER, kind, None, None, {}) for n, kind in enumerate(kinds, start=1)]

    assert is_paused(events("user", "action", "pause", "user"))
    assert not is_paused(events("pause", "resume", "user"))
    assert not is_paused(events("pause", "session_started"))  # a new session un-pauses in Rasa too
    assert not is_paused(events("pause", "restart"))


def test_the_shipped_templates_load_and_fill_their_variables():
    templates = {t.name: t for t in load_templates(DEFAULT_TEMPLATES_PATH)}
    followup = templates["parts_request_followup_ar"]
    assert followup.language == "ar" and len(followup.parameters) == 2
    assert followup.preview(["عمر", "سارة"]).startswith("مرحباً عمر، معك سارة")
    assert templates["staff_handoff_alert"].staff_only


def test_a_template_whose_labels_do_not_match_its_variables_is_refused(tmp_path: Path):
    path = tmp_path / "templates.yml"
    path.write_text(
        "templates:\n  - {name: t1, language: en_US, body: 'Hi {{1}}, from {{2}}', parameters: [Name]}\n",
        encoding="utf-8",
    )
    with pytest.raises(TemplateConfigError, match="variables \\[1, 2\\] but 1 parameter"):
        load_templates(path)
    path.write_text("templates:\n  - {name: t1, body: 'Hi'}\n", encoding="utf-8")
    with pytest.raises(TemplateConfigError, match="no language"):
        load_templates(path)
    assert load_templates(tmp_path / "missing.yml") == []
