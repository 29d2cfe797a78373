"""The deployment files agree with the code: services, commands, modules and variables exist.

Docker is not available on this machine, so the compose file is checked by loading it and
cross-checking what it references, not by ``docker compose config``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from deploy.run_cluster import ConfigError, check_shared_state
from ops.endpoints import RETRYING_STORE, render_endpoints
from shopkernel.env import SettingsError

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _modules_in(text: str) -> set[str]:
    return set(re.findall(r"-m[\"',\s]+([a-z_][\w.]*)", text))


def test_compose_has_the_production_services_and_shared_state():
    compose = _compose()
    assert {"postgres", "redis", "migrate", "rasa", "actions", "web", "nginx"} <= set(compose["services"])
    env = compose["services"]["rasa"]["environment"]
    assert env["TRACKER_DB_URL"].startswith("postgresql://") and "@postgres:5432/" in env["TRACKER_DB_URL"]
    assert env["LOCK_STORE_URL"].startswith("redis://redis:6379/")
    assert compose["services"]["actions"]["environment"]["DATABASE_URL"] == env["DATABASE_URL"]
    for name in ("rasa", "actions"):
        assert compose["services"][name]["healthcheck"]["test"], name
    rasa_cmd = " ".join(compose["services"]["rasa"]["command"])
    assert "--credentials deploy/credentials.yml" in rasa_cmd and "python -m ops.endpoints" in rasa_cmd
    assert '--auth-token "$$RASA_AUTH_TOKEN"' in rasa_cmd and "RASA_AUTH_TOKEN:?" in rasa_cmd


def test_only_nginx_publishes_a_port_and_it_renders_the_one_nginx_file():
    services = _compose()["services"]
    assert [name for name, svc in services.items() if svc.get("ports")] == ["nginx"]
    nginx = services["nginx"]
    assert nginx["volumes"] == ["./nginx.conf:/etc/nginx/templates/default.conf.template:ro"]
    from ops.nginx import _PLACEHOLDER

    needed = set(_PLACEHOLDER.findall((DEPLOY / "nginx.conf").read_text()))
    assert needed and needed <= set(nginx["environment"])
    assert services["web"]["command"] == ["python", "-m", "webservice"]


def test_every_module_and_file_the_deploy_files_start_exists():
    texts = [(DEPLOY / "docker-compose.yml").read_text()] + [
        p.read_text() for p in (DEPLOY / "systemd").iterdir()
    ]
    modules = set().union(*(_modules_in(t) for t in texts))
    assert {"ops.action_server", "ops.endpoints", "catalog_loader", "webservice"} <= modules
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module
    assert (DEPLOY / "nginx.conf").exists() and (DEPLOY / "Dockerfile").exists()


def test_credentials_list_channels_that_import_and_no_rest_channel():
    channels = yaml.safe_load((DEPLOY / "credentials.yml").read_text())
    assert set(channels) == {"connectors.whatsapp.WhatsAppInput", "ops.rasa_channel.OpsChannel"}
    for path in channels:
        if "." in path:
            module, _, cls = path.rpartition(".")
            assert hasattr(importlib.import_module(module), cls)


def test_systemd_units_use_the_same_commands_as_the_cluster_script():
    rasa = (DEPLOY / "systemd" / "partsbot-rasa@.service").read_text()
    actions = (DEPLOY / "systemd" / "partsbot-actions@.service").read_text()
    cluster = (ROOT / "ops" / "cluster.py").read_text()
    assert "rasa run --enable-api --auth-token ${RASA_AUTH_TOKEN} --interface 127.0.0.1" in rasa
    assert '"run", "--enable-api", "--auth-token", self.auth_token, "--interface", "127.0.0.1"' in cluster
    assert "-m ops.action_server --actions actions --port %i" in actions
    assert '"ops.action_server", "--actions", "actions", "--port"' in cluster
    for unit in (rasa, actions):
        assert "EnvironmentFile=/etc/partsbot/partsbot.env" in unit and "Restart=always" in unit


def test_every_variable_in_the_env_example_is_documented():
    doc = (ROOT / "docs" / "production.md").read_text()
    names = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (DEPLOY / "partsbot.env.example").read_text(), re.M)
    assert len(names) > 15
    missing = [n for n in names if f"`{n}`" not in doc]
    assert missing == []


def test_postgres_tracker_store_becomes_the_retrying_one(tmp_path):
    endpoints = render_endpoints(
        {
            "TRACKER_DB_URL": "postgresql://bot:pw@db:5432/rasa",
            "LOCK_STORE_URL": "redis://cache:6379/1",
            "ACTION_SELECTIVE_DOMAIN": "true",
        },
        root=tmp_path,
    )
    tracker = endpoints["tracker_store"]
    assert (tracker["type"], tracker["url"], tracker["db"], tracker["password"]) == (
        RETRYING_STORE,
        "db",
        "rasa",
        "pw",
    )
    assert tracker["query"] == {"connect_timeout": "5"}
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["action_endpoint"]["enable_selective_domain"] is True
    sqlite = render_endpoints({"TRACKER_DB_URL": f"sqlite:///{tmp_path / 't.db'}"}, root=tmp_path)
    assert sqlite["tracker_store"]["type"] == RETRYING_STORE
    assert "query" not in sqlite["tracker_store"]
    assert "enable_selective_domain" not in sqlite["action_endpoint"]


def test_bad_urls_are_refused_with_the_variable_name(tmp_path):
    with pytest.raises(SettingsError, match="LOCK_STORE_URL"):
        render_endpoints({"LOCK_STORE_URL": "memcached://x"}, root=tmp_path)


def test_several_instances_need_shared_stores():
    shared = {
        "TRACKER_DB_URL": "postgresql://a/b",
        "LOCK_STORE_URL": "redis://r/1",
        "DATABASE_URL": "postgresql://a/b",
    }
    check_shared_state(shared, 2)
    check_shared_state({}, 1)  # one process: the embedded defaults are fine
    with pytest.raises(ConfigError, match="LOCK_STORE_URL"):
        check_shared_state({**shared, "LOCK_STORE_URL": ""}, 2)
    with pytest.raises(ConfigError, match="TRACKER_DB_URL"):
        check_shared_state({**shared, "TRACKER_DB_URL": "sqlite:///x.db", "SANIC_WORKERS": "2"}, 1)
