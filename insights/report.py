"""Every analytics table for a set of conversations, by name (console pages, CLI, CSV)."""

from __future__ import annotations

from collections.abc import Callable

from insights.conversation import Conversation
from insights.demand import demand_table
from insights.funnel import LeadRecord, funnel_table
from insights.metrics import busiest_hours_table, language_table, overview_table
from insights.periods import SHOP_TIMEZONE
from insights.tables import Table

TABLES = ("funnel", "not_found", "out_of_stock", "demand", "languages", "overview", "busiest_hours")


def build_table(
    name: str,
    conversations: list[Conversation],
    leads: list[LeadRecord],
    grain: str = "day",
    tz: str = SHOP_TIMEZONE,
) -> Table:
    """One table by name; raises KeyError for an unknown name."""
    builders: dict[str, Callable[[], Table]] = {
        "funnel": lambda: funnel_table(conversations, leads, grain, tz),
        "not_found": lambda: demand_table(conversations, kind="not_found", tz=tz),
        "out_of_stock": lambda: demand_table(conversations, kind="out_of_stock", tz=tz),
        "demand": lambda: demand_table(conversations, tz=tz),
        "languages": lambda: language_table(conversations),
        "overview": lambda: overview_table(conversations, grain, tz=tz),
        "busiest_hours": lambda: busiest_hours_table(conversations, tz),
    }
    return builders[name]()
