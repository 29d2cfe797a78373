"""The public parts API (``/api/v1``): the shop's website and partner garages.

Layout (after fastapi/full-stack-fastapi-template): ``settings`` (environment), ``state`` (what
lives for the process), ``deps`` (session, caller, rate limits), ``routes/`` by resource,
``schemas`` (the JSON shapes), ``errors`` (problem+json), ``openapi``/``docs``. Search, vehicle
ids and leads come from the ``catalog`` domain; API keys from ``accounts``. Guide: docs/api.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI

if TYPE_CHECKING:
    from webservice.settings import WebSettings


def mount(app: FastAPI, settings: WebSettings) -> None:
    """Add the API's routes, error handlers, CORS and docs to the application."""
    from webservice.api import cors, docs, errors
    from webservice.api.routes import catalog, health, leads, parts, vehicles
    from webservice.api.state import ApiState

    state = ApiState.build(settings.database_url, settings.api)
    app.state.api = state
    errors.install(app)
    v1 = APIRouter(prefix="/api/v1")
    for module in (parts, vehicles, catalog, leads):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router)
    docs.install(app)
    app.add_middleware(cors.ApiCORSMiddleware, origins=settings.api.cors_origins)
    app.add_event_handler("shutdown", state.close)
