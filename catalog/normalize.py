"""Search keys: how part numbers, names and Arabic text are normalised.

Every ``*_norm`` column in :mod:`catalog.schema` is computed here, at import
time and at query time, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata

_PART_NO_STRIP = re.compile(r"[\s\-./_]+")
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_TATWEEL = "\u0640"
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "گ": "ك",
        "ک": "ك",
        "ی": "ي",
        "٠": "0",
        "١": "1",
        "٢": "2",
        "٣": "3",
        "٤": "4",
        "٥": "5",
        "٦": "6",
        "٧": "7",
        "٨": "8",
        "٩": "9",
        "۰": "0",
        "۱": "1",
        "۲": "2",
        "۳": "3",
        "۴": "4",
        "۵": "5",
        "۶": "6",
        "۷": "7",
        "۸": "8",
        "۹": "9",
    }
)
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize_part_number(value: str) -> str:
    """``04465-60320``, ``04465 60320`` and ``0446560320`` all become ``0446560320``."""
    return _PART_NO_STRIP.sub("", unicodedata.normalize("NFKC", value or "")).upper()


def normalize_arabic(text: str) -> str:
    """Fold Arabic spelling variants: diacritics, tatweel, alef/yaa/taa-marbuta forms, digits."""
    text = _ARABIC_DIACRITICS.sub("", text.replace(_TATWEEL, ""))
    return text.translate(_ARABIC_FOLD)


def normalize_text(text: str) -> str:
    """Lower-case, fold Arabic, drop punctuation, collapse spaces: the key for names and aliases."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = normalize_arabic(text)
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def has_arabic(text: str) -> bool:
    """True when the text contains Arabic letters (used to answer in Arabic)."""
    return any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in text or "")
