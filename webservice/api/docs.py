"""Interactive docs at ``/api/docs`` with Swagger UI served from the repository (works offline).

The assets are swagger-ui-dist from the npm registry, vendored unchanged under
``webservice/static/vendor/swagger-ui/`` with their licence (see VERSION.md there).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, JSONResponse

from webservice.api.openapi import PREFIX, build_openapi

ASSETS = Path(__file__).resolve().parents[1] / "static" / "vendor" / "swagger-ui"
ASSETS_URL = "/api/docs/assets"
OPENAPI_URL = PREFIX + "/openapi.json"


def install(app: FastAPI) -> None:
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="swagger-ui")

    async def openapi(request: Request) -> JSONResponse:
        doc = getattr(request.app.state, "api_openapi", None)
        if doc is None:
            doc = request.app.state.api_openapi = build_openapi(request.app)
        return JSONResponse(doc, headers={"Cache-Control": "public, max-age=300"})

    async def docs(request: Request) -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="CarPartsDubai parts API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
        )

    app.add_api_route(OPENAPI_URL, openapi, methods=["GET"], include_in_schema=False)
    app.add_api_route("/api/docs", docs, methods=["GET"], include_in_schema=False)
