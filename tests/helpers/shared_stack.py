"""One action server + Rasa server shared by the end-to-end modules of a pytest worker.

Starting a Rasa server (TensorFlow, model load) is the dearest thing the suite does; the modules
that only talk to the assistant as customers (REST or signed WhatsApp webhooks) share one:
project credentials (REST, WhatsApp, ops channel), the media pipeline behind the channel, a fake
Graph API on a background loop (session fixture ``assistant_graph``), a SQLite sample catalog and
tracker store. Use the session fixture ``assistant_stack`` (tests/conftest.py), an
:class:`~tests.helpers.servers.AssistantStack`; under pytest-xdist every test that uses it runs
on one worker (group ``assistant-stack``), so the whole run starts it once. Customers of
different modules must use different phone numbers (the catalog's leads and the trackers are
shared). Modules that need an auth token, the GPT rephraser or the console beside the assistant
use the session's live stack (``live_stack``, tests/helpers/live_stack.py); others start their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from simulator import webhooks
from simulator.background import BackgroundGraph
from tests.helpers.servers import ROOT, AssistantStack, build_sample_catalog

APP_SECRET, ACCESS_TOKEN = "e2e-app-secret", "e2e-access-token"
GROUP = "assistant-stack"


@contextmanager
def shared_graph() -> Iterator[BackgroundGraph]:
    with BackgroundGraph(app_secret=APP_SECRET, access_token=ACCESS_TOKEN) as graph:
        yield graph


@contextmanager
def shared_stack(workdir: Path, graph: BackgroundGraph) -> Iterator[AssistantStack]:
    env = {
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_VERIFY_TOKEN": "e2e-verify",
        "WHATSAPP_PHONE_NUMBER_ID": webhooks.DEFAULT_PHONE_NUMBER_ID,
        "WHATSAPP_GRAPH_BASE_URL": graph.base_url,
        "WHATSAPP_MEDIA_HANDLER": "media.whatsapp_handler:WhatsAppMediaHandler",
        "MEDIA_SPEECH_ENGINE": "pocketsphinx",
    }
    catalog_url = build_sample_catalog(workdir / "catalog.db", rows=3000)
    stack = AssistantStack(
        workdir, catalog_url, credentials=ROOT / "credentials.yml", extra_env=env,
        start_timeout=600.0,  # other workers start servers too on 2 cores
    )  # fmt: skip
    with stack:
        yield stack
