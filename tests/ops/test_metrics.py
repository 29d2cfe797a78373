"""The exposition a shop scrapes moves with the events the code reports."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from ops import metrics


def _value(name: str, **labels: str) -> float:
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def test_send_failures_are_counted_by_meta_error_code():
    before = _value("partsbot_send_failures_total", code="131047", source="send")
    metrics.send_failure(131047)
    metrics.send_failure(131047)
    metrics.send_failure(None, "status")
    assert _value("partsbot_send_failures_total", code="131047", source="send") == before + 2
    assert _value("partsbot_send_failures_total", code="none", source="status") >= 1


def test_fallback_actions_feed_the_fallback_counter_other_actions_do_not():
    fallbacks = _value("partsbot_fallbacks_total", action="action_rephrase_fallback")
    metrics.action_called("action_rephrase_fallback", 200, 0.3)
    metrics.action_called("action_search_parts", 200, 0.05)
    assert _value("partsbot_fallbacks_total", action="action_rephrase_fallback") == fallbacks + 1
    assert _value("partsbot_actions_total", action="action_search_parts", status="200") >= 1


def test_turn_latency_lands_in_the_right_bucket():
    below = _value("partsbot_turn_seconds_bucket", channel="whatsapp", le="0.5")
    above = _value("partsbot_turn_seconds_bucket", channel="whatsapp", le="1.0")
    metrics.observe_turn(0.7)
    assert _value("partsbot_turn_seconds_bucket", channel="whatsapp", le="0.5") == below
    assert _value("partsbot_turn_seconds_bucket", channel="whatsapp", le="1.0") == above + 1


def test_leads_messages_and_duplicates():
    leads = _value("partsbot_leads_created_total", kind="quote")
    dups = _value("partsbot_webhook_duplicates_total")
    metrics.lead_created("quote")
    metrics.duplicate()
    metrics.message_in("")
    assert _value("partsbot_leads_created_total", kind="quote") == leads + 1
    assert _value("partsbot_webhook_duplicates_total") == dups + 1
    assert _value("partsbot_messages_in_total", channel="whatsapp", type="unknown") >= 1
