"""The public parts API (``/api/v1``): the shop's website and partner garages."""

from __future__ import annotations

from fastapi import FastAPI

from webservice.settings import WebSettings


def mount(app: FastAPI, settings: WebSettings) -> None:
    """Add the API's routes to the application (filled in by issue 12)."""
