"""The public API over HTTP (Starlette's TestClient: the real app, routes, middleware and
handlers) on a real database, SQLite and PostgreSQL, with the small Dubai catalog of
tests/catalog/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

import accounts.api_keys  # noqa: F401 - registers api_keys on the shared metadata
from accounts.api_keys import create_key
from catalog.schema import metadata
from catalog.vocabulary import sync_vocabulary
from shopkernel.db import make_engine, make_session_factory
from tests.catalog.conftest import build_catalog
from webservice.api.settings import ApiSettings, Rate
from webservice.app import create_app
from webservice.settings import WebSettings

# Generous limits unless a test is about limits: many requests per test, one address.
TEST_SETTINGS = ApiSettings(
    anonymous_rate=Rate(10_000, 60), key_rate=Rate(10_000, 60), leads_rate=Rate(1000, 60)
)


@pytest.fixture
def api_db(database_url) -> Iterator[str]:
    """A database with the schema, the small catalog and its vocabulary."""
    engine = make_engine(database_url)
    metadata.create_all(engine)
    with make_session_factory(engine)() as session:
        build_catalog(session)
        sync_vocabulary(session)
        session.commit()
    engine.dispose()
    yield database_url


@pytest.fixture
def make_client(api_db) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**ApiSettings fields)``: a client of a freshly built app."""
    opened: list[TestClient] = []

    def make(**overrides) -> TestClient:
        settings = WebSettings(database_url=api_db, api=replace(TEST_SETTINGS, **overrides))
        client = TestClient(create_app(settings), raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def new_key(api_db) -> Callable[..., str]:
    """``new_key("website", "leads:write")`` -> the secret of a freshly created key."""

    def make(name: str = "website", *scopes: str) -> str:
        engine = make_engine(api_db)
        with make_session_factory(engine)() as session:
            key = create_key(session, name, list(scopes) or ["leads:write"])
            session.commit()
        engine.dispose()
        return key.secret

    return make


def assert_problem(response, status: int, *words: str) -> dict:
    """A problem+json answer with this status whose detail mentions every word; no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"]
    for word in words:
        assert word in body["detail"], body["detail"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body
