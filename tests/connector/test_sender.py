"""The outbound path outside the Rasa channel: what the web service uses for staff replies.

Same Graph client, limits, retries and failure records as the bot's output channel, built from
settings alone (no Rasa server, no channel object).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from connectors.whatsapp import outbound
from connectors.whatsapp.sender import build_outbound
from tests.connector.harness import make_settings
from tests.helpers.servers import ROOT

CUSTOMER = "971501234567"


@pytest.fixture
async def staff_outbound(fake_graph, sqlite_url):
    built = build_outbound(make_settings(fake_graph.base_url, sqlite_url))
    yield built
    await built.aclose()


async def test_a_staff_reply_reaches_the_customer_and_returns_metas_id(staff_outbound, fake_graph):
    outcome = await staff_outbound.sender.deliver(CUSTOMER, outbound.text_message("مرحبا، معك سارة من المحل"))
    [sent] = fake_graph.sent
    assert outcome.sent and outcome.wamid == sent.wamid and outcome.error is None
    assert sent.to == CUSTOMER and sent.payload["text"]["body"] == "مرحبا، معك سارة من المحل"


async def test_window_closed_without_fallback_is_refused_recorded_and_nothing_else_goes_out(
    staff_outbound, fake_graph
):
    fake_graph.inject_error(131047)
    outcome = await staff_outbound.sender.deliver(
        CUSTOMER, outbound.text_message("Your pads arrived"), window_fallback=False
    )
    assert not outcome.sent and outcome.error.code == 131047 and outcome.fallback is None
    assert fake_graph.sent == [] and fake_graph.attempts == 1  # no automatic template, no retry
    [failure] = await staff_outbound.failures.recent()
    assert failure.error_code == 131047 and failure.recipient == CUSTOMER
    assert failure.payload["text"]["body"] == "Your pads arrived"  # what the agent typed is kept


async def test_transient_errors_are_retried_for_staff_too(staff_outbound, fake_graph):
    fake_graph.inject_error(131000, times=2)
    outcome = await staff_outbound.sender.deliver(CUSTOMER, outbound.text_message("hello"))
    assert outcome.sent and fake_graph.attempts == 3
    assert await staff_outbound.failures.recent() == []


async def test_a_permanent_error_comes_back_with_metas_reason(staff_outbound, fake_graph):
    fake_graph.inject_error(131026, times=3)
    outcome = await staff_outbound.sender.deliver(CUSTOMER, outbound.text_message("hello"))
    assert outcome.error.code == 131026 and fake_graph.attempts == 1
    assert "Message undeliverable" in outcome.error.message  # Meta's words, shown to the agent


async def test_template_with_body_parameters_is_accepted_by_the_graph_api(staff_outbound, fake_graph):
    message = outbound.template_message("parts_update", "ar", ["محمد", "Front brake pads\nToyota  2015"])
    outcome = await staff_outbound.sender.deliver(CUSTOMER, message)
    [sent] = fake_graph.sent
    assert outcome.sent and fake_graph.rejected == []
    assert sent.payload["template"] == {
        "name": "parts_update",
        "language": {"code": "ar"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "محمد"},
                    {"type": "text", "text": "Front brake pads Toyota 2015"},  # one line, as Meta requires
                ],
            }
        ],
    }


def test_template_without_parameters_has_no_components():
    assert outbound.template_message("hello_world", "en_US") == {
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }


def test_the_outbound_path_imports_no_rasa():
    """The web service builds it; importing Rasa there would pull Sanic and TensorFlow in."""
    code = (
        "import sys, connectors.whatsapp.sender as s; "
        "bad = sorted(m for m in sys.modules if m == 'rasa' or m.startswith('rasa.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
