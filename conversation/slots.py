"""Which slot candidates may replace what the conversation already holds.

A good value (a make, model, part or year the catalog knows) is never replaced by a word that
does not resolve to the catalog's vocabulary ("I mean", "modeel", "مو"): the earlier value stays.
The one exception is the slot the bot just asked for: an unknown answer there is checked and
explained ("We carry these models: …").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

Resolves = Callable[[str, str], bool]  # (slot, candidate text) -> known to the catalog?


def keep_good_values(
    candidates: Mapping[str, str],
    previous: Mapping[str, object],
    requested_slot: str | None,
    resolves: Resolves,
) -> dict[str, str]:
    """The candidates to validate: those that resolve, or that fill an empty/asked-for slot."""
    kept: dict[str, str] = {}
    for slot, value in candidates.items():
        if previous.get(slot) and slot != requested_slot and not resolves(slot, value):
            continue
        kept[slot] = value
    return kept


def or_list(names: tuple[str, ...] | list[str], joiner: str) -> str:
    """ "Land Cruiser or Land Cruiser Prado" with the joiner of the customer's language."""
    return joiner.join(names)
