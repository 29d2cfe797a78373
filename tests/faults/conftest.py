"""One production-shaped cluster for the whole fault suite (started once: ~1 min on 2 cores).

PostgreSQL (catalog, leads, Rasa tracker store, the WhatsApp inbox) reached through
:class:`TcpProxy`, so a test can make it refuse connections; Redis (TEST_REDIS_URL) for the
lock store; 2 Rasa servers and 2 action servers behind nginx running deploy/nginx.conf
(ops/cluster.py); the fake Graph API in this process. Customers post like Meta does: a
non-200 answer is delivered again a moment later. Missing PostgreSQL/Redis skip (fail with
REQUIRE_POSTGRES/REQUIRE_REDIS, as in CI); a missing trained model is trained first.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ops.cluster import Cluster, ClusterSpec
from simulator import webhooks
from simulator.background import BackgroundGraph
from simulator.graph_server import SentMessage
from tests.conftest import PG_ADMIN_URL
from tests.faults.tcp_proxy import TcpProxy
from tests.helpers.servers import trained_model

ROOT = Path(__file__).resolve().parents[2]
SECRET, TOKEN = "faults-app-secret", "faults-access-token"
LOG_HASH_KEY = "faults-log-hash-key"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults: fault-injection suite on real processes (tests/faults)")


@dataclass
class ShopDb:
    direct_url: str  # straight to PostgreSQL (the tests' own checks)
    proxied_url: str  # through the proxy (what the cluster uses)

    def scalar(self, sql: str, **params: object) -> object:
        engine = create_engine(self.direct_url, future=True)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def rows(self, sql: str, **params: object) -> list:
        engine = create_engine(self.direct_url, future=True)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params))
        finally:
            engine.dispose()


@pytest.fixture(scope="package")
def pg_proxy(postgres_server_url: str) -> Iterator[TcpProxy]:
    url = make_url(PG_ADMIN_URL)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


@pytest.fixture(scope="package")
def shop_db(postgres_server_url: str, pg_proxy: TcpProxy, tmp_path_factory) -> Iterator[ShopDb]:
    """A database of its own (catalog with a 3 000-part sample, leads, tracker events)."""
    from catalog.importer import import_catalog
    from catalog.migrate import upgrade_database
    from catalog.sample import write_sample
    from shopkernel.db import make_engine

    name = f"partsbot_faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name)
    direct = url.render_as_string(hide_password=False)
    proxied = url.set(host="127.0.0.1", port=pg_proxy.port).render_as_string(hide_password=False)
    upgrade_database(direct)
    engine = make_engine(direct)
    import_catalog(engine, write_sample(tmp_path_factory.mktemp("catalog") / "sample.csv", 3000))
    engine.dispose()
    yield ShopDb(direct, proxied)
    with admin.connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(scope="package")
def graph() -> Iterator[BackgroundGraph]:
    with BackgroundGraph(app_secret=SECRET, access_token=TOKEN) as running:
        yield running


@pytest.fixture(scope="package")
def cluster(shop_db: ShopDb, redis_url: str, graph: BackgroundGraph, tmp_path_factory) -> Iterator[Cluster]:
    model = trained_model()
    workdir = tmp_path_factory.mktemp("cluster")
    env = {
        "DATABASE_URL": shop_db.proxied_url,
        "TRACKER_DB_URL": shop_db.proxied_url,
        "LOCK_STORE_URL": redis_url,
        "LOCK_STORE_KEY_PREFIX": f"faults{uuid.uuid4().hex[:8]}",
        "WHATSAPP_INBOX_LEASE_SECONDS": "6",  # a dead instance's turns are re-driven after 6 s
        "WHATSAPP_INBOX_SWEEP_SECONDS": "1",
        "ACTION_RETRY_SECONDS": "60",
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_VERIFY_TOKEN": "faults-verify",
        "WHATSAPP_PHONE_NUMBER_ID": webhooks.DEFAULT_PHONE_NUMBER_ID,
        "WHATSAPP_GRAPH_BASE_URL": graph.base_url,
        "WHATSAPP_RETRY_BASE_DELAY": "0.2",
        "WHATSAPP_RETRY_MAX_DELAY": "1",
        "LEAD_SPOOL_PATH": str(workdir / "spool" / "leads.jsonl"),
        "TRACKER_RETRY_SECONDS": "30",
        "LOG_FORMAT": "json",
        "LOG_HASH_KEY": LOG_HASH_KEY,
        "OPENAI_API_KEY": "",
    }
    spec = ClusterSpec(
        model=model, workdir=workdir, rasa_instances=2, action_servers=2,
        front_port=0, action_port=0, rasa_base_port=0, action_base_port=0,
        env=env,
    )  # fmt: skip
    with Cluster(spec) as running:
        yield running


@dataclass
class Customer:
    """A WhatsApp customer talking to the cluster through signed webhooks."""

    number: str
    graph: BackgroundGraph
    cluster: Cluster
    sent: list[str]
    redeliveries: int = 0

    def send(self, body_text: str, url: str | None = None) -> str:
        message = webhooks.text(self.number, body_text)
        self.post(webhooks.customer_message(message, name="Fault Tester"), url)
        self.sent.append(message["id"])
        return message["id"]

    def tap(self, row: dict, url: str | None = None) -> str:
        message = webhooks.list_reply(self.number, row["id"], row["title"], row.get("description", ""))
        self.post(webhooks.customer_message(message, name="Fault Tester"), url)
        self.sent.append(message["id"])
        return message["id"]

    def post(self, body: dict, url: str | None = None, patience: float = 120) -> httpx.Response:
        """Deliver until a 200, as Meta does (it retries a non-200 for days; we for ``patience`` s)."""
        raw = webhooks.encode(body)
        target = (url or self.cluster.front_url) + "/webhooks/whatsapp/webhook"
        deadline = time.monotonic() + patience
        while True:
            try:
                headers = webhooks.signed_headers(raw, SECRET)
                response = httpx.post(target, content=raw, headers=headers, timeout=30)
                if response.status_code == 200:
                    return response
                problem = f"{response.status_code} {response.text[:200]}"
            except httpx.HTTPError as exc:
                problem = type(exc).__name__
            self.redeliveries += 1
            if time.monotonic() > deadline:
                logs = self.cluster.logs()
                raise AssertionError(f"{self.number}: webhook never accepted: {problem}\n{logs}")
            time.sleep(1)

    def replies(self) -> list[SentMessage]:
        return self.graph.fake.messages_to(self.number)

    def turn(self, body_text: str, url: str | None = None, timeout: float = 60) -> list[SentMessage]:
        """Send a message and return the bot's replies to it (after a quiet second)."""
        before = len(self.replies())
        self.send(body_text, url)
        return self.wait_replies(before, timeout)

    def wait_replies(self, before: int, timeout: float = 60, quiet: float = 1.5) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        while len(self.replies()) <= before:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.number}: no reply within {timeout:.0f} s\n{self.cluster.logs()}")
            time.sleep(0.1)
        while time.monotonic() - self.replies()[-1].at < quiet:
            time.sleep(0.1)
        return self.replies()[before:]

    def list_rows(self) -> list[dict]:
        for message in reversed(self.replies()):
            interactive = message.payload.get("interactive") or {}
            if interactive.get("type") == "list":
                return [row for section in interactive["action"]["sections"] for row in section["rows"]]
            if interactive.get("type") == "button":
                return [b["reply"] for b in interactive["action"]["buttons"]]
        return []


def tracker(cluster: Cluster, sender: str, instance: int = 0) -> dict:
    response = httpx.get(
        f"{cluster.rasa_url(instance)}/conversations/{sender}/tracker",
        params={"token": cluster.auth_token},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def user_message_ids(db: ShopDb, sender: str) -> list[str]:
    """The WhatsApp message ids Rasa stored for this customer, in order (PostgreSQL ``events``)."""
    import json

    rows = db.rows(
        "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id", s=sender
    )
    return [json.loads(r[0]).get("message_id") for r in rows]


def inbox_attempts(db: ShopDb, sender: str) -> int:
    """How many times this customer's messages were taken by a turn, in all (1 each when calm)."""
    rows = db.rows("SELECT COALESCE(SUM(attempts), 0) FROM whatsapp_inbox WHERE sender_id = :s", s=sender)
    return int(rows[0][0])


def leads(db: ShopDb, sender: str) -> list:
    return db.rows("SELECT id, kind, sku FROM leads WHERE channel_user_id = :s ORDER BY id", s=sender)


@pytest.fixture
def customer(cluster: Cluster, graph: BackgroundGraph) -> Customer:
    return Customer(f"9715{uuid.uuid4().int % 10**8:08d}", graph, cluster, [])
