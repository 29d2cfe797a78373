"""The deployment serves the web service under /api/ (compose, nginx, systemd agree with the code)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_compose_runs_the_web_service_behind_nginx():
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    web = compose["services"]["web"]
    assert web["command"] == ["python", "-m", "webservice"]
    assert web["environment"]["SHOP_API_HOST"] == "0.0.0.0" and web["environment"]["SHOP_API_PORT"] == "8000"
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:")  # rate limits shared by replicas
    assert web["environment"]["FORWARDED_ALLOW_IPS"]  # the client's address, not nginx's, is rate-limited
    assert "/readyz" in " ".join(web["healthcheck"]["test"])
    assert "web" in compose["services"]["nginx"]["depends_on"]


def test_nginx_sends_api_to_the_web_service_with_the_client_address():
    conf = (DEPLOY / "nginx.conf").read_text()
    assert re.search(r"upstream partsbot_web \{", conf)
    api = re.search(r"location /api/ \{([^}]*)\}", conf)
    assert api and "proxy_pass http://partsbot_web;" in api[1]
    assert "X-Forwarded-For" in api[1]


def test_systemd_starts_the_web_service_with_the_others():
    unit = (DEPLOY / "systemd" / "partsbot-web.service").read_text()
    assert "ExecStart=/opt/partsbot/.venv/bin/python -m webservice" in unit and "SHOP_API_PORT=8000" in unit
    assert "EnvironmentFile=/etc/partsbot/partsbot.env" in unit and "Restart=always" in unit
    assert "partsbot-web.service" in (DEPLOY / "systemd" / "partsbot.target").read_text()
