"""Property-based test from the OpenAPI document (schemathesis) on the generated sample catalog.

For each operation: the documented examples first, then generated requests, valid and invalid.
The API must never answer 5xx, answer only documented status codes and content types, and every
body must match its schema. A migrated database (Alembic, not create_all) holds 3,000 sample rows.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.api_keys import create_key
from catalog.importer import import_catalog
from catalog.migrate import upgrade_database
from catalog.sample import write_sample
from shopkernel.db import make_engine, make_session_factory
from tests.api.conftest import TEST_SETTINGS
from webservice.app import create_app
from webservice.settings import WebSettings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
KEYS: dict[str, str] = {}  # the fixture's API key for POST /leads (schemas are copied per operation)


@pytest.fixture
def api_schema(database_url, tmp_path):
    upgrade_database(database_url)
    engine = make_engine(database_url)
    import_catalog(engine, write_sample(tmp_path / "sample.csv", 3000))
    with make_session_factory(engine)() as session:
        KEYS["leads"] = create_key(session, "schemathesis", ["leads:write", "parts:read"]).secret
        session.commit()
    engine.dispose()
    # No lifespan here: the API needs none, and schemathesis drives the app through its own client.
    app = create_app(WebSettings(database_url=database_url, api=TEST_SETTINGS))
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    app.state.api.engine.dispose()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_promises(case):
    headers = {"X-API-Key": KEYS["leads"]} if case.method == "POST" else None
    case.call_and_validate(headers=headers, checks=CHECKS)
