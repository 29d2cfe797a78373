"""The OpenAPI document: served, committed, and the code and the file never differ; offline docs."""

from __future__ import annotations

import json
import re

from webservice.api.openapi import COMMITTED, build_openapi, render


def test_committed_document_matches_the_code(client):
    """Fails when a route or schema changed without `python -m webservice.api.openapi --write`."""
    assert COMMITTED.exists(), "docs/openapi.json is missing: run python -m webservice.api.openapi --write"
    assert COMMITTED.read_text(encoding="utf-8") == render(build_openapi(client.app)), (
        "docs/openapi.json is out of date: run .venv/bin/python -m webservice.api.openapi --write"
    )


def test_served_document_is_the_committed_one(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.json() == json.loads(COMMITTED.read_text(encoding="utf-8"))
    doc = r.json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {
        "/api/v1/parts", "/api/v1/parts/{sku}", "/api/v1/vehicles/decode", "/api/v1/makes",
        "/api/v1/makes/{make}/models", "/api/v1/categories", "/api/v1/leads",
    }  # fmt: skip
    errors = doc["paths"]["/api/v1/parts/{sku}"]["get"]["responses"]["404"]["content"]
    assert list(errors) == ["application/problem+json"]
    assert doc["paths"]["/api/v1/leads"]["post"]["security"] == [{"ApiKey": []}]


def test_swagger_ui_is_served_locally(client):
    page = client.get("/api/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page.text)
    assert external == [], f"the docs page loads from outside: {external}"
    assets = re.findall(r"""(?:src|href)=["'](/api/docs/assets/[^"']+)""", page.text)
    assert len(assets) >= 2
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 500, asset
    assert "/api/v1/openapi.json" in page.text
