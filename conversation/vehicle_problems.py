"""Which explanation a wrong chassis number gets, and the values it shows.

The wording is in domain.yml (``utter_vin_problem_<key>``, English and Arabic); this module
only picks the key from :attr:`catalog.vehicle_ids.VehicleId.problem` and fills the values.
"""

from __future__ import annotations

from catalog.vehicle_ids import VehicleId

_DIGIT_FOR = {"I": "1", "O": "0", "Q": "0"}
RESPONSES = {
    "length": "utter_vin_problem_length",
    "forbidden_letters": "utter_vin_problem_forbidden_letters",
    "check_digit": "utter_vin_problem_check_digit",
    "format_vin": "utter_vin_problem_format_vin",
    "format_frame": "utter_vin_problem_format_frame",
}


def problem_response(vid: VehicleId) -> tuple[str, dict[str, str]] | None:
    """``("utter_vin_problem_length", {"count": "16", ...})``; None for a number without a problem."""
    if vid.problem is None:
        return None
    key = vid.problem
    if key == "format":
        key = "format_frame" if vid.kind == "frame" else "format_vin"
    bad = sorted({c for c in vid.normalized if c in _DIGIT_FOR})
    values = {
        "count": str(len(vid.normalized)),
        "letters": " ".join(bad),
        "digits": " / ".join(dict.fromkeys(_DIGIT_FOR[c] for c in bad)),
    }
    return RESPONSES.get(key, RESPONSES["format_vin"]), values
