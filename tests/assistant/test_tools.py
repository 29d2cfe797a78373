"""The assistant's command-line tools: NLU export, endpoints rendering, handoff release."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from catalog.leads import set_handoff
from catalog.schema import Customer, Make, Model
from catalog_loader.cli import app
from catalog_loader.nlu_export import export_nlu
from ops.endpoints import RETRYING_STORE, render_endpoints
from shopkernel.db import make_engine, make_session_factory, session_scope
from shopkernel.env import SettingsError


def _nlu(path):
    return {
        (item.get("lookup") or item.get("synonym")): item["examples"]
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
    }


def test_export_nlu_covers_the_catalog_and_a_new_make(catalog_url, tmp_path):
    export_nlu(tmp_path, catalog_url)
    lookups = _nlu(tmp_path / "lookups.yml")
    assert "- toyota" in lookups["make"] and "- land cruiser" in lookups["model"]
    assert "- فحمات" in lookups["part"]
    synonyms = _nlu(tmp_path / "synonyms.yml")
    assert "- فحمات" in synonyms["Brake Pads"] and "- fa7mat" in synonyms["Brake Pads"]
    assert (tmp_path / "lookups.yml").read_text(encoding="utf-8").startswith("# GENERATED")
    # staff add a make to the catalog: one export later the NLU knows it
    engine = make_engine(catalog_url)
    with session_scope(make_session_factory(engine)) as session:
        make = Make(name="Geely", name_ar="جيلي")
        session.add(make)
        session.flush()
        session.add(Model(make_id=make.id, name="Coolray"))
    try:
        export_nlu(tmp_path, catalog_url)
        lookups = _nlu(tmp_path / "lookups.yml")
        assert "- geely" in lookups["make"] and "- coolray" in lookups["model"]
        assert "- جيلي" in _nlu(tmp_path / "synonyms.yml")["Geely"]
    finally:
        with session_scope(make_session_factory(engine)) as session:
            session.delete(session.execute(select(Make).where(Make.name == "Geely")).scalar_one())
        engine.dispose()


def test_export_nlu_command_reports_an_unreachable_database(tmp_path):
    result = CliRunner().invoke(
        app, ["export-nlu", "--out", str(tmp_path), "--database-url", "postgresql://nobody@127.0.0.1:1/none"]
    )
    assert result.exit_code == 4
    assert not (tmp_path / "lookups.yml").exists()


def test_endpoints_defaults_need_no_environment(tmp_path):
    endpoints = render_endpoints({}, root=tmp_path)
    assert endpoints["action_endpoint"]["url"] == "http://localhost:5055/webhook"
    assert endpoints["tracker_store"] == {
        "type": RETRYING_STORE,
        "dialect": "sqlite",
        "db": str(tmp_path / "var/tracker.db"),
    }
    assert endpoints["lock_store"] == {"type": "in_memory"}


def test_endpoints_for_postgres_and_redis(tmp_path):
    endpoints = render_endpoints(
        {
            "ACTION_ENDPOINT_URL": "http://actions:5055/webhook",
            "TRACKER_DB_URL": "postgresql://rasa:s3cret@db.internal:5433/conversations",
            "LOCK_STORE_URL": "redis://:pw@cache:6380/2",
            "LOCK_STORE_KEY_PREFIX": "parts",
        },
        root=tmp_path,
    )
    assert endpoints["action_endpoint"]["url"] == "http://actions:5055/webhook"
    assert endpoints["tracker_store"] == {
        "type": RETRYING_STORE, "dialect": "postgresql", "url": "db.internal", "port": 5433,
        "db": "conversations", "username": "rasa", "password": "s3cret", "query": {"connect_timeout": "5"},
    }  # fmt: skip
    assert endpoints["lock_store"] == {
        "type": "redis",
        "url": "cache",
        "port": 6380,
        "db": 2,
        "password": "pw",
        "key_prefix": "parts",
    }


@pytest.mark.parametrize(
    "env",
    [{"TRACKER_DB_URL": "mysql://x@y/z"}, {"LOCK_STORE_URL": "http://cache"}, {"TRACKER_DB_URL": "not a url"},
     {"LOCK_STORE_URL": "redis://cache", "LOCK_STORE_KEY_PREFIX": "bad-prefix"}],
)  # fmt: skip
def test_endpoints_refuse_unusable_values(env, tmp_path):
    with pytest.raises(SettingsError):
        render_endpoints(env, root=tmp_path)


class _FakeRasa(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _FakeRasa.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"events": []}')

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def fake_rasa():
    server = HTTPServer(("127.0.0.1", 0), _FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeRasa.received = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _handoff(catalog_url, customer, active=None):
    engine = make_engine(catalog_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            if active is not None:
                set_handoff(session, customer, active)
            return session.execute(
                select(Customer.handoff_active).where(Customer.channel_user_id == customer)
            ).scalar_one()
    finally:
        engine.dispose()


def test_handoff_release_resumes_rasa_and_clears_the_flag(catalog_url, fake_rasa):
    assert _handoff(catalog_url, "971509990001", active=True) is True
    result = CliRunner().invoke(
        app, ["handoff", "release", "971509990001", "--rasa-url", fake_rasa, "--database-url", catalog_url]
    )
    assert result.exit_code == 0, result.output
    assert _FakeRasa.received == [("/conversations/971509990001/tracker/events", {"event": "resume"})]
    assert _handoff(catalog_url, "971509990001") is False
    assert "9715****0001" in result.output and "971509990001" not in result.output  # masked


def test_handoff_release_with_rasa_down_says_so(catalog_url):
    _handoff(catalog_url, "971509990002", active=True)
    result = CliRunner().invoke(
        app,
        [
            "handoff",
            "release",
            "971509990002",
            "--rasa-url",
            "http://127.0.0.1:1",
            "--database-url",
            catalog_url,
        ],
    )
    assert result.exit_code == 5
    assert "Run the command again" in result.output
    assert _handoff(catalog_url, "971509990002") is False
