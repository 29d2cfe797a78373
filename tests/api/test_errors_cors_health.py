"""Errors are problem+json and never a stack trace; CORS only for listed origins; health routes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from tests.api.conftest import TEST_SETTINGS, assert_problem
from tests.helpers.servers import free_port
from webservice.app import create_app
from webservice.settings import WebSettings

SHOP = "https://carpartsdubai.example"


def test_unknown_api_path_and_method(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404, "/api/v1/nothing-here")
    assert_problem(client.delete("/api/v1/parts/BP-1"), 405, "DELETE")


def test_database_down_is_503_with_retry_after_and_no_trace():
    """PostgreSQL unreachable (nothing listens on the port): a clear 503, never a traceback."""
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/none"
    with TestClient(create_app(WebSettings(database_url=url, api=TEST_SETTINGS)),
                    raise_server_exceptions=False) as client:  # fmt: skip
        r = client.get("/api/v1/parts/BP-1")
        body = assert_problem(r, 503, "unavailable")
        assert r.headers["retry-after"] == "5"
        assert "psycopg2" not in r.text and "127.0.0.1" not in r.text
        assert "password" not in body["detail"]
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("unreachable")


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "vocabulary": "ok"}


@pytest.fixture
def cors_client(make_client):
    return make_client(cors_origins=(SHOP, "http://localhost:3000"))


def test_cors_allowed_origin(cors_client):
    r = cors_client.get("/api/v1/makes", headers={"Origin": SHOP})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == SHOP
    assert "ETag" in r.headers["access-control-expose-headers"]
    assert "access-control-allow-credentials" not in r.headers


def test_cors_preflight_for_the_lead_form(cors_client):
    r = cors_client.options(
        "/api/v1/leads",
        headers={
            "Origin": SHOP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, idempotency-key, x-api-key",
        },
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == SHOP
    assert "idempotency-key" in r.headers["access-control-allow-headers"].lower()


def test_cors_denied_origin_gets_no_allow_header(cors_client):
    r = cors_client.get("/api/v1/makes", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = cors_client.options(
        "/api/v1/parts", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in pre.headers


def test_no_origins_configured_means_no_cors(client):
    r = client.get("/api/v1/makes", headers={"Origin": SHOP})
    assert "access-control-allow-origin" not in r.headers


def test_cors_never_applies_outside_the_api(cors_client):
    r = cors_client.get("/healthz", headers={"Origin": SHOP})
    assert "access-control-allow-origin" not in r.headers


def test_bad_cors_setting_is_refused_at_start():
    from webservice.api.settings import ApiSettings

    with pytest.raises(ValueError, match="API_CORS_ORIGINS"):
        ApiSettings.from_env({"API_CORS_ORIGINS": "carpartsdubai.example/shop"})
    with pytest.raises(ValueError, match="PART_URL_TEMPLATE"):
        ApiSettings.from_env({"PART_URL_TEMPLATE": "https://shop.example/parts/"})
    settings = ApiSettings.from_env({"API_CORS_ORIGINS": f"{SHOP}/, http://localhost:3000"})
    assert settings.cors_origins == (SHOP, "http://localhost:3000")


def test_searches_survive_the_database_closing_every_connection(make_client, api_db):
    """A PostgreSQL restart or failover closes the API's pooled connections. Searches do not
    ping a connection before use (shopkernel.db.make_read_engine): the first statement on a dead
    one fails, and the search runs again on a fresh connection — the customer sees no error."""
    if not api_db.startswith("postgresql"):
        pytest.skip("SQLite has no connections to lose")
    client = make_client(search_cache_s=0)  # every request reaches the database
    search = {"make": "Toyota", "model": "Land Cruiser", "year": 2015, "part": "brake pads"}
    first = client.get("/api/v1/parts", params=search)
    assert first.status_code == 200 and client.get("/api/v1/parts/BP-5").status_code == 200

    admin = create_engine(api_db, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        closed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    admin.dispose()
    assert closed >= 1  # the API's pooled connections were open and are gone now

    again = client.get("/api/v1/parts", params=search)
    assert again.status_code == 200, again.text
    assert again.json()["items"] == first.json()["items"]
    assert client.get("/api/v1/parts/BP-5").json()["sku"] == "BP-5"
