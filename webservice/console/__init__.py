"""The staff console (``/console``): sign-in, leads inbox, live human handoff, admin pages.

Server-rendered Jinja2 pages (``webservice/templates``) with a little vanilla JavaScript
(``webservice/static``): no build step, nothing from a CDN. How to add a page: docs/console.md.
"""

from __future__ import annotations

import functools
import importlib

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles

from accounts.staff import SignedIn
from shopkernel.db import make_engine, make_session_factory
from webservice.console.events import EventFeed, new_leads
from webservice.console.rendering import ConsoleRoute
from webservice.console.security import require_staff
from webservice.console.state import ConsoleState
from webservice.console.transcripts import TranscriptReader
from webservice.console.ui import STATIC_DIR, UiText, make_templates
from webservice.settings import WebSettings

# Modules holding console pages: each has ``router`` and, optionally, ``NAV`` (navigation links),
# ``setup(state)`` (e.g. to add an event source) and ``on_startup(state)`` / ``on_shutdown(state)``
# (this app's background work only). Add a line here to add a feature.
PAGE_MODULES = (
    "webservice.console.auth_pages",
    "webservice.console.leads_pages",
    "webservice.console.admin_pages",
    "webservice.console.events",
    "webservice.console.review",
    "webservice.console.conversations.pages",
)


def mount(app: FastAPI, settings: WebSettings) -> None:
    """Add the console's routes; the database engine is built here, connected on first use."""
    engine = make_engine(settings.database_url)
    text = UiText.load()
    state = ConsoleState(
        settings=settings,
        session_factory=make_session_factory(engine),
        templates=make_templates(text),
        text=text,
        transcripts=TranscriptReader(settings.tracker_db_url),
        feed=EventFeed(),
    )
    state.feed.add_source("leads", new_leads, roles=("agent",))
    app.state.console = state
    app.mount("/console/static", StaticFiles(directory=str(STATIC_DIR)), name="console-static")
    for name in PAGE_MODULES:
        module = importlib.import_module(name)
        state.nav.extend(getattr(module, "NAV", []))
        if hasattr(module, "setup"):
            module.setup(state)
        for event in ("startup", "shutdown"):
            hook = getattr(module, f"on_{event}", None)
            if hook is not None:
                app.add_event_handler(event, functools.partial(hook, state))
        app.include_router(module.router)
    app.include_router(_not_found)

    @app.on_event("shutdown")
    def _dispose() -> None:
        state.transcripts.dispose()
        engine.dispose()


_not_found = APIRouter(route_class=ConsoleRoute)


@_not_found.api_route("/console/{path:path}", methods=["GET", "POST"], include_in_schema=False)
def unknown_page(staff: SignedIn = Depends(require_staff("agent", "designer"))) -> None:
    """Any other console address: sign-in first (nothing is revealed), then a 404 page."""
    raise HTTPException(404)
