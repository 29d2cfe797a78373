"""Search keys: how part numbers, names and Arabic text are normalised.

Every ``*_norm`` column in :mod:`catalog.schema` is computed here, at import
time and at query time, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata

from shopkernel.language import has_arabic
from shopkernel.numerals import DIGIT_FOLD

_PART_NO_STRIP = re.compile(r"[\s\-./_]+")
_ARABIC_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_TATWEEL = "\u0640"
_ARABIC_FOLD = str.maketrans(
    {
        **{chr(k): v for k, v in DIGIT_FOLD.items()},
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
    }
)
_NON_WORD = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalize_part_number(value: str) -> str:
    """``04465-60320``, ``04465 60320``, ``٠٤٤٦٥-٦٠٣٢٠`` and ``0446560320`` all become ``0446560320``."""
    value = value or ""
    for _ in range(3):  # removing separators can expose new NFKC compositions; stop when stable
        folded = _PART_NO_STRIP.sub("", unicodedata.normalize("NFKC", value).translate(DIGIT_FOLD)).upper()
        if folded == value:
            break
        value = folded
    return value


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


# --------------------------------------------------------------------------- matching keys
# Arabizi (Arabic chat alphabet) writes Arabic sounds with digits: fa7mat = فحمات, msa3dat = مساعدات.
# A digit is folded only when a Latin letter follows it and no digit precedes it, so years and
# model codes ("2015", "lc200", "x5", "y62") survive.
_ARABIZI_DIGITS = {"2": "a", "3": "a", "5": "kh", "6": "t", "7": "h", "8": "gh", "9": "s"}
_ARABIZI_DIGIT = re.compile(r"(?<![0-9])[235679](?=[a-z])")
_DOUBLED = re.compile(r"(.)\1+")
# Proclitics glued to Arabic words: و (and), ب/ل/ك/ف (with/for/like/so), ال (the), and their combinations.
_ARABIC_PREFIXES = ("وبال", "وال", "بال", "لل", "فال", "كال", "ال", "و", "ب", "ل", "ف", "ك")


def fold_arabizi(text: str) -> str:
    """Replace Arabizi digits inside Latin words by letters: ``fa7mat`` -> ``fahmat``."""
    return _ARABIZI_DIGIT.sub(lambda m: _ARABIZI_DIGITS[m.group(0)], text)


def fuzzy_key(text: str) -> str:
    """A loose key for typo-tolerant comparison of already normalised text.

    Arabizi digits become letters, ``p`` becomes ``b`` (Arabic has no p: "batrol"),
    doubled letters collapse ("nisan"/"nissan") and spaces go ("land cruser"/"landcruiser").
    """
    key = fold_arabizi(text).replace("p", "b")
    return _DOUBLED.sub(r"\1", key).replace(" ", "")


def singular(word: str) -> str:
    """English plural -> singular for matching ("pads" -> "pad"); other words unchanged."""
    if len(word) > 3 and word.isascii() and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def arabic_variants(token: str) -> list[str]:
    """The token and the stems left after removing Arabic proclitics (longest stem first).

    "للاندكروزر" -> ["للاندكروزر", "اندكروزر", "لاندكروزر"]; stems shorter than 2 letters are dropped.
    Callers try every variant against the vocabulary, so a real word that starts with
    one of these letters (بواجي, لكزس) still matches as written.
    """
    variants = [token]
    if not has_arabic(token):
        return variants
    for prefix in _ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            stem = token[len(prefix) :]
            if stem not in variants:
                variants.append(stem)
    return variants
