"""The OpenAPI 3 document of ``/api/v1`` (served, and committed as ``docs/openapi.json``).

Errors are documented as ``application/problem+json`` (RFC 9457), which is what the handlers
send. Regenerate the committed file after changing a route or a schema::

    .venv/bin/python -m webservice.api.openapi --write      # docs/openapi.json
    .venv/bin/python -m webservice.api.openapi --check      # exit 1 when it is out of date

``tests/api/test_openapi.py`` fails while the file and the code differ.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from webservice.api.errors import PROBLEM

VERSION = "1.0.0"
PREFIX = "/api/v1"
COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
DESCRIPTION = """\
The parts catalog of CarPartsDubai: the same search the WhatsApp assistant uses (English, Arabic,
Arabizi, typos, part and OEM numbers in any format), vehicles decoded from VINs and frame numbers,
and the website's "request this part" form as leads for the sales team.

Errors are `application/problem+json` (RFC 9457). Anonymous calls are rate-limited per address;
an API key (`X-API-Key`) gets its own, higher limit. `429` answers carry `Retry-After`.
Guide: docs/api.md in the repository.
"""


def build_openapi(app: FastAPI) -> dict:
    """The document for the API's routes only (the console and health routes are not in it)."""
    routes = [r for r in app.routes if getattr(r, "path", "").startswith(PREFIX + "/")]
    doc = get_openapi(
        title="CarPartsDubai parts API", version=VERSION, description=DESCRIPTION, routes=routes
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    response.setdefault("description", "Problem")
            if "304" in operation.get("responses", {}):
                operation["responses"]["304"].pop("content", None)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for schema in schemas.values():
        _optional_is_nullable(schema)
    doc["components"]["securitySchemes"] = {
        "ApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "Created by staff: `python -m catalog_loader api-keys create`.",
        },
    }
    leads = doc.get("paths", {}).get(PREFIX + "/leads", {}).get("post")
    if leads is not None:
        leads["security"] = [{"ApiKey": []}]
    return doc


def _optional_is_nullable(schema: dict) -> None:
    """pydantic v1 writes ``Optional[str]`` as plain ``string``; the API sends ``null`` for them."""
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        if name in required:
            continue
        if "$ref" in prop:
            ref = prop.pop("$ref")
            prop["anyOf"] = [{"$ref": ref}, {"type": "null"}]
        elif isinstance(prop.get("type"), str) and prop["type"] not in ("array", "object"):
            prop["type"] = [prop["type"], "null"]


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {COMMITTED}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed file is out of date")
    args = parser.parse_args(argv)
    from webservice.app import create_app
    from webservice.settings import WebSettings

    text = render(build_openapi(create_app(WebSettings(database_url="sqlite://"))))
    if args.write:
        COMMITTED.write_text(text, encoding="utf-8")
        print(f"wrote {COMMITTED}")
        return 0
    if args.check:
        same = COMMITTED.exists() and COMMITTED.read_text(encoding="utf-8") == text
        print("docs/openapi.json is up to date" if same else "docs/openapi.json is out of date: run --write")
        return 0 if same else 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
