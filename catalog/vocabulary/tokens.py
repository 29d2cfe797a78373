"""How text is cut into the words and keys that matching compares (no catalog data here)."""

from __future__ import annotations

from catalog.normalize import arabic_variants, normalize_text, singular
from catalog.vocabulary.words import CONDITION_INDEX, STOPWORDS
from catalog.vocabulary.years import is_year
from shopkernel.language import has_arabic
from shopkernel.numerals import fold_digits

MIN_FUZZY_LEN = 5  # shorter words are matched exactly only ("yes" never becomes "ES", "step" not "stop")


def index_keys(text: str) -> set[str]:
    """Exact-index keys for a name or alias: normalised, without spaces, singular."""
    norm = normalize_text(text)
    if not norm:
        return set()
    words = norm.split()
    single = " ".join(singular(w) for w in words)
    return {norm, norm.replace(" ", ""), single, single.replace(" ", "")}


def token_variants(token: str) -> list[str]:
    if has_arabic(token):
        return arabic_variants(token)
    return [token] if singular(token) == token else [token, singular(token)]


def tokenize(text: str) -> list[str]:
    """The words matching works on: normalised, Arabic-Indic digits folded."""
    return normalize_text(fold_digits(text or "")).split()


def is_filler(span: list[str]) -> bool:
    return all(t in STOPWORDS for t in span)


def fuzzable(span: list[str]) -> bool:
    if any(t in STOPWORDS or t.isdigit() or t in CONDITION_INDEX for t in span):
        return False
    if len(span) == 1:
        return len(span[0]) >= MIN_FUZZY_LEN
    return all(len(t) >= 2 for t in span)


def joinable(left: str, right: str) -> bool:
    """Join digit groups typed with spaces ("04465 60320", "0 986 494 123"), never a year."""

    def groupish(chunk: str) -> bool:
        digits = sum(c.isdigit() for c in chunk)
        return digits >= 1 and digits * 2 >= len(chunk) and not is_year(chunk)

    return groupish(left) and groupish(right)
