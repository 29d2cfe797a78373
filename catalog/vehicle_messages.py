"""What to tell a customer whose chassis number cannot be right, in English or Arabic.

The wording lives in config/customer_copy.yml (``vehicle_ids``), so the shop can reword it
without touching the rules in :mod:`catalog.vehicle_ids`; this module picks the entry for
``vid.problem`` and fills in the characters concerned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shopkernel.copy import say

if TYPE_CHECKING:
    from catalog.vehicle_ids import VehicleId

_DIGIT_FOR = {"I": "1", "O": "0", "Q": "0"}


def friendly_problem(vid: VehicleId, lang: str = "en") -> str:
    """A specific, friendly explanation of ``vid.problem``; "" when there is none.

    ``lang`` is "en" or "ar" (anything else falls back to English).
    """
    if vid.problem is None:
        return ""
    key = vid.problem
    if key == "format":
        key = "format_frame" if vid.kind == "frame" else "format_vin"
    bad = sorted({c for c in vid.normalized if c in _DIGIT_FOR})
    return say(
        f"vehicle_ids.{key}",
        lang if lang in ("en", "ar") else "en",
        count=len(vid.normalized),
        letters=" ".join(bad),
        digits=" / ".join(dict.fromkeys(_DIGIT_FOR[c] for c in bad)),
    )
