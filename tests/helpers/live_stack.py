"""The whole assistant as a customer and a staff member meet it, for console tests.

Fake Graph API (Meta) on a background loop, the real action server and the real Rasa server with
the WhatsApp channel and an ``--auth-token``, a SQLite catalog with a generated sample::

    with LiveStack(tmp_path) as live:
        live.customer_says("971501112233", "I want to talk to a person", name="Omar")
        live.graph.wait_for(1, "971501112233")

Customers write through signed webhooks exactly as Meta delivers them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from simulator import webhooks
from simulator.background import BackgroundGraph
from tests.helpers.servers import ROOT, AssistantStack, build_sample_catalog, free_port

APP_SECRET = "live-app-secret"
ACCESS_TOKEN = "live-access-token"
RASA_TOKEN = "live-rasa-token"
OPENAI_KEY = "sk-test-live"


@dataclass
class LiveStack:
    workdir: Path
    rows: int = 3000
    media: bool = False  # the real photo/voice pipeline (OCR, speech to text) behind the channel
    openai_base_url: str = ""  # the rephraser in the action server calls this (fake) OpenAI
    graph: BackgroundGraph = field(init=False)
    assistant: AssistantStack | None = None
    catalog_url: str = ""

    def __enter__(self) -> LiveStack:
        self.graph = BackgroundGraph(app_secret=APP_SECRET, access_token=ACCESS_TOKEN).__enter__()
        try:
            self.catalog_url = build_sample_catalog(self.workdir / "catalog.db", rows=self.rows)
            rasa_port = free_port()
            self.assistant = AssistantStack(
                self.workdir,
                self.catalog_url,
                credentials=ROOT / "credentials.yml",
                extra_env=self.whatsapp_env,
                action_env=self.rephraser_env(rasa_port),
                rasa_args=["--auth-token", RASA_TOKEN],
                rasa_port=rasa_port,
                start_timeout=600.0,  # several helpers' Rasa servers load at once on 2 cores
            ).__enter__()
        except BaseException:
            self.graph.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.assistant is not None:
                self.assistant.__exit__(*exc)
        finally:
            self.graph.__exit__(*exc)

    @property
    def whatsapp_env(self) -> dict[str, str]:
        return {
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
            "WHATSAPP_VERIFY_TOKEN": "live-verify",
            "WHATSAPP_PHONE_NUMBER_ID": webhooks.DEFAULT_PHONE_NUMBER_ID,
            "WHATSAPP_GRAPH_BASE_URL": self.graph.base_url,
            "WHATSAPP_RETRY_BASE_DELAY": "0.05",
            "WHATSAPP_RETRY_MAX_DELAY": "0.2",
            **(
                {
                    "WHATSAPP_MEDIA_HANDLER": "media.whatsapp_handler:WhatsAppMediaHandler",
                    "MEDIA_OCR_TIMEOUT_S": "90",
                }
                if self.media
                else {}
            ),
        }

    def rephraser_env(self, rasa_port: int) -> dict[str, str]:
        """The GPT rephraser's settings, for the action server only (with a key in the Rasa
        process the media pipeline would send voice notes to OpenAI)."""
        if not self.openai_base_url:
            return {}
        return {
            "OPENAI_API_KEY": OPENAI_KEY,
            "OPENAI_BASE_URL": self.openai_base_url,
            "OPENAI_TIMEOUT": "5",
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "RASA_AUTH_TOKEN": RASA_TOKEN,
        }

    @property
    def rasa_url(self) -> str:
        assert self.assistant is not None
        return self.assistant.rasa_url

    @property
    def tracker_db_url(self) -> str:
        return f"sqlite:///{self.workdir / 'tracker.db'}"

    def deliver(self, message: dict[str, Any], name: str | None = "Customer") -> None:
        """POST one customer message to the Rasa server's WhatsApp webhook, signed like Meta."""
        raw = webhooks.encode(webhooks.customer_message(message, name=name))
        url = f"{self.rasa_url}/webhooks/whatsapp/webhook"
        response = httpx.post(url, content=raw, headers=webhooks.signed_headers(raw, APP_SECRET), timeout=10)
        assert response.status_code == 200, response.text

    def customer_says(self, wa_id: str, text: str, name: str | None = "Customer") -> dict[str, Any]:
        message = webhooks.text(wa_id, text)
        self.deliver(message, name=name)
        return message

    def replies_to(self, wa_id: str) -> list[Any]:
        return self.graph.fake.messages_to(wa_id)

    def wait_for_replies(self, wa_id: str, count: int, timeout: float = 60.0) -> list[Any]:
        """At least ``count`` messages sent to ``wa_id`` in all (bot and staff)."""
        return self.graph.wait_for(count, wa_id, timeout)

    def tracker(self, wa_id: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.rasa_url}/conversations/{wa_id}/tracker", params={"token": RASA_TOKEN}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def wait_until(self, predicate, timeout: float = 30.0, what: str = "condition") -> Any:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}\n{self.logs()}")

    def logs(self) -> str:
        return self.assistant.logs() if self.assistant is not None else ""
