"""Conversation review (designers) and shop analytics (admin) in the staff console (issue 16).

Registered by one line in ``webservice/console/__init__.py`` (``PAGE_MODULES``): this package
gives ``router``, ``NAV`` and ``setup``. Pages: :mod:`.pages` (``/console/review…``),
:mod:`.analytics` (``/console/analytics…``); charts drawn on the server: :mod:`.charts`.
The work itself is done by the plain-Python :mod:`insights` package.
"""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from insights.periods import local_time
from insights.service import ReviewService
from insights.settings import InsightsSettings
from shopkernel.masking import mask_phone
from webservice.console.review import analytics, pages
from webservice.console.state import ConsoleState

router = APIRouter()
router.include_router(pages.router)
router.include_router(analytics.router)
NAV = [*pages.NAV, *analytics.NAV]


def setup(state: ConsoleState) -> None:
    """One review service on the console's own tracker store and database; template filters."""
    settings = dataclasses.replace(
        InsightsSettings.from_env(),
        tracker_url=state.settings.tracker_db_url or "memory",
        database_url=state.settings.database_url,
    )
    state.review = ReviewService(settings)  # type: ignore[attr-defined]
    filters = state.templates.env.filters
    filters["mask_phone"] = mask_phone
    filters["epoch_time"] = lambda ts: local_time(ts, settings.timezone).strftime("%H:%M:%S") if ts else ""

