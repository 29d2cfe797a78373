"""What to tell a customer whose chassis number cannot be right, in English and Arabic.

All customer-facing wording about VINs and frame numbers lives here, one table per
language, so the shop can reword it without touching the rules in
:mod:`catalog.vehicle_ids`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalog.vehicle_ids import VehicleId

_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "length": (
            "That chassis number has {count} characters, but a VIN always has exactly 17. "
            "Could you check it on your registration card (Mulkiya) and send it again?"
        ),
        "forbidden_letters": (
            "A VIN never contains the letters I, O or Q, and yours has {letters}. "
            "It is probably the digit {digits} instead. Could you check and send it again?"
        ),
        "check_digit": (
            "One character of that VIN looks mistyped: the 9th character (a check digit) "
            "does not match the others. Could you compare it with your Mulkiya and send it "
            "again, or send a photo of the card?"
        ),
        "format_vin": (
            "That doesn't look like a chassis number. A VIN has 17 letters and digits, "
            "like JTMHV05J504123456; a Japanese frame number looks like GRJ200-1234567."
        ),
        "format_frame": (
            "That looks like a frame number, but the part after the dash should be 5 to 8 "
            "digits, like GRJ200-1234567. Could you check it and send it again?"
        ),
    },
    "ar": {
        "length": (
            "رقم الشاصي الذي أرسلته فيه {count} خانة، لكن رقم الشاصي (VIN) يتكون دائماً من 17 خانة. "
            "ممكن تتأكد منه من الملكية وترسله مرة ثانية؟"
        ),
        "forbidden_letters": (
            "رقم الشاصي لا يحتوي أبداً على الحروف I أو O أو Q، وفي رقمك {letters}. "
            "غالباً المقصود الرقم {digits}. ممكن تتأكد وترسله مرة ثانية؟"
        ),
        "check_digit": (
            "يبدو أن أحد أحرف رقم الشاصي مكتوب خطأ: الخانة التاسعة (خانة التحقق) لا تتطابق مع باقي الرقم. "
            "ممكن تقارنه بالملكية وترسله مرة ثانية، أو ترسل صورة الملكية؟"
        ),
        "format_vin": (
            "هذا لا يبدو رقم شاصي. رقم الشاصي (VIN) يتكون من 17 حرفاً ورقماً مثل JTMHV05J504123456، "
            "ورقم الهيكل الياباني يكون مثل GRJ200-1234567."
        ),
        "format_frame": (
            "يبدو أنه رقم هيكل، لكن الجزء بعد الشرطة يجب أن يكون من 5 إلى 8 أرقام، مثل GRJ200-1234567. "
            "ممكن تتأكد منه وترسله مرة ثانية؟"
        ),
    },
}
_DIGIT_FOR = {"I": "1", "O": "0", "Q": "0"}


def friendly_problem(vid: VehicleId, lang: str = "en") -> str:
    """A specific, friendly explanation of ``vid.problem``; "" when there is none.

    ``lang`` is "en" or "ar" (anything else falls back to English).
    """
    if vid.problem is None:
        return ""
    table = _MESSAGES.get(lang, _MESSAGES["en"])
    key = vid.problem
    if key == "format":
        key = "format_frame" if vid.kind == "frame" else "format_vin"
    bad = sorted({c for c in vid.normalized if c in _DIGIT_FOR})
    return table[key].format(
        count=len(vid.normalized),
        letters=" ".join(bad),
        digits=" / ".join(dict.fromkeys(_DIGIT_FOR[c] for c in bad)),
    )
