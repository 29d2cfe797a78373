"""The FastAPI application: the public API under ``/api``, the staff console under ``/console``."""

from __future__ import annotations

from fastapi import FastAPI

from webservice.settings import WebSettings


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """Build the application; nothing is connected at import time (tests build one per case)."""
    settings = settings or WebSettings.from_env()
    app = FastAPI(title="CarPartsDubai web service", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings

    from webservice.api import mount as mount_api
    from webservice.console import mount as mount_console

    mount_api(app, settings)
    mount_console(app, settings)
    return app
