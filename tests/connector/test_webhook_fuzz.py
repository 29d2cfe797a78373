"""Property-based: whatever arrives at the webhook, Meta never sees a 500, nothing crashes,
and an unsigned request never causes a reply or a turn."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.whatsapp.channel import WhatsAppInput
from connectors.whatsapp.signature import sign
from simulator import webhooks
from simulator.graph_server import FakeGraphApi
from tests.connector.harness import ACCESS_TOKEN, APP_SECRET, BotServer, make_settings


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Live:
    loop: asyncio.AbstractEventLoop
    fake: FakeGraphApi
    bot: BotServer
    http: httpx.Client
    errors: ErrorLog

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def counts(self) -> tuple[int, int, int]:
        self.run(self.bot.settle())
        return len(self.fake.sent), len(self.fake.reads), len(self.bot.received)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """Server and fake Graph API on their own loop/thread, so hypothesis can drive them synchronously."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coro):
        return asyncio.run_coroutine_threadsafe(coro, loop).result(30)

    fake = FakeGraphApi(access_token=ACCESS_TOKEN, app_secret=APP_SECRET)
    run(fake.start())
    db = tmp_path_factory.mktemp("fuzz") / "connector.db"
    bot = BotServer(WhatsAppInput(make_settings(fake.base_url, f"sqlite:///{db}")))
    run(bot.start())
    errors = ErrorLog()
    for name in ("connectors", "sanic.error", "sanic.root", "asyncio"):
        logging.getLogger(name).addHandler(errors)
    with httpx.Client(timeout=10) as http:
        yield Live(loop, fake, bot, http, errors)
    for name in ("connectors", "sanic.error", "sanic.root", "asyncio"):
        logging.getLogger(name).removeHandler(errors)
    run(bot.stop())
    run(fake.stop())
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
# The HTTP client itself refuses values with surrounding spaces, so those cannot reach a server.
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80).map(str.strip)
KINDS = ["text", "interactive", "button", "image", "audio", "video", "document", "sticker", "location",
         "contacts", "reaction", "system", "unsupported", "order", "nfm"]  # fmt: skip


_C = "971501234567"
SAMPLES = {
    m["type"]: m[m["type"]]
    for m in (
        webhooks.text(_C, "brake pads"),
        webhooks.button_reply(_C, "/affirm", "Yes"),
        webhooks.template_button(_C, "/deny", "No"),
        webhooks.image(_C, "123", caption="this one"),
        webhooks.audio(_C, "456"),
        webhooks.location(_C, 25.2, 55.3),
        webhooks.reaction(_C, "wamid.X"),
        webhooks.system_changed_number(_C, "971500000000"),
        webhooks.media(_C, "video", "789", "video/mp4"),
    )
}


@st.composite
def meta_like_bodies(draw) -> dict[str, Any]:
    """Real envelope shapes with fields dropped or replaced by arbitrary JSON."""
    message: dict[str, Any] = {
        "from": draw(st.one_of(st.just("971501234567"), st.none(), json_values)),
        "id": draw(st.one_of(st.builds(lambda: webhooks.new_wamid()), json_values)),
        "timestamp": draw(st.one_of(st.just("1717171717"), json_values)),
        "type": draw(st.sampled_from(KINDS)) if draw(st.integers(0, 3)) else draw(json_values),
    }
    sample = SAMPLES.get(message["type"]) if isinstance(message["type"], str) else None
    content = sample if sample is not None and draw(st.integers(0, 2)) else draw(json_values)
    message[str(message["type"])] = content
    if draw(st.booleans()):
        message["from_user_id"] = draw(st.one_of(st.just("AE.123456789"), json_values))
    value = webhooks.value(
        messages=draw(st.one_of(st.just([message]), st.lists(json_values, max_size=3))),
        contacts=draw(st.one_of(st.just([webhooks.contact("971501234567")]), json_values)),
        statuses=draw(
            st.one_of(
                st.none(),
                st.lists(json_values, max_size=2),
                st.just([{"id": "w", "status": "failed", "errors": [{"code": "x"}]}]),
            )
        ),
    )
    body: Any = webhooks.envelope([value])
    entry = body["entry"][0]
    change = entry["changes"][0]
    mutation = draw(st.sampled_from(["none"] * 5 + ["object", "entry", "changes", "value", "field"]))
    if mutation == "object":
        body["object"] = draw(json_values)
    elif mutation == "entry":
        body["entry"] = draw(json_values)
    elif mutation == "changes":
        entry["changes"] = draw(json_values)
    elif mutation in ("value", "field"):
        change[mutation] = draw(json_values)
    return body


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    raw=st.one_of(st.binary(max_size=300), meta_like_bodies().map(webhooks.encode)),
    headers=st.dictionaries(
        st.sampled_from(["X-Hub-Signature-256", "Content-Type", "X-Anything"]), header_text
    ),
)
def test_unsigned_or_wrongly_signed_requests_get_403_and_change_nothing(live, raw, headers):
    before = live.counts()
    response = live.http.post(live.bot.url, content=raw, headers=headers)
    assert response.status_code == 403
    assert live.counts() == before
    assert live.errors.records == []


@FUZZ
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        meta_like_bodies().map(webhooks.encode),
    )
)
def test_signed_garbage_is_acknowledged_without_errors(live, raw):
    response = live.http.post(
        live.bot.url, content=raw, headers={"X-Hub-Signature-256": sign(raw, APP_SECRET)}
    )
    assert response.status_code == 200
    live.counts()  # let background turns finish
    assert live.errors.records == [], [r.getMessage() for r in live.errors.records]
    assert live.fake.rejected == []  # every reply the connector sent was valid for Meta


@FUZZ
@given(
    method=st.sampled_from(["GET", "PUT", "DELETE", "PATCH"]),
    params=st.dictionaries(
        st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]), header_text
    ),
)
def test_other_methods_and_random_verification_queries_never_500(live, method, params):
    response = live.http.request(method, live.bot.url, params=params)
    assert response.status_code < 500
    assert live.errors.records == []
