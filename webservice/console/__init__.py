"""The staff console (``/console``): sign-in, leads inbox, live human handoff."""

from __future__ import annotations

from fastapi import FastAPI

from webservice.settings import WebSettings


def mount(app: FastAPI, settings: WebSettings) -> None:
    """Add the console's routes to the application (filled in by issue 13)."""
