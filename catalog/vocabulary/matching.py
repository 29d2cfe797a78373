"""Matching customer text against the catalog's names: the index and :class:`Vocabulary`.

1. exact lookup of every n-gram (longest first) in an index of names, aliases and their
   no-space / singular / Arabizi-folded forms, trying Arabic words with and without
   proclitics (و ب ل ف ك ال);
2. typo tolerance with rapidfuzz (``fuzz.ratio`` on loose keys, cut-off :data:`ACCEPT_SCORE`);
   scores between :data:`SUGGEST_SCORE` and the cut-off only become "did you mean" candidates;
3. a single word shared by several names ("cruiser", "filter", "فلتر") gives candidates,
   not a guess.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from catalog.normalize import fuzzy_key, normalize_part_number, normalize_text, singular
from catalog.vocabulary import loading
from catalog.vocabulary.tokens import (
    MIN_FUZZY_LEN,
    fuzzable,
    index_keys,
    is_filler,
    joinable,
    token_variants,
    tokenize,
)
from catalog.vocabulary.words import CONDITION_INDEX, GENERIC_WORDS, POSITION_WORDS, STOPWORDS
from catalog.vocabulary.years import GLUED_YEAR, extract_year, extract_year_range
from shopkernel.numerals import fold_digits

ACCEPT_SCORE = 85.0  # fuzzy score from which a spelling is taken as the name
SUGGEST_SCORE = 70.0  # fuzzy score from which a name is offered as "did you mean"
WORD_SCORE = 90.0  # score of candidates found through one word of longer names ("cruiser")
MIN_WORD_LEN = 4  # a shorter word of a longer name ("oil", "lc") never stands for it alone
MAX_NGRAM = 4
KINDS = ("make", "model", "part")
_NUMBER_CHUNK = re.compile(r"[A-Za-z0-9]+(?:[-./][A-Za-z0-9]+)*")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_PHONE = re.compile(r"^(?:\+?971|00971|0)5\d{8}$|^\+?\d{11,15}$")


# --------------------------------------------------------------------------- public data
@dataclass(frozen=True)
class Match:
    """Result of matching one kind of name in a text.

    ``value`` is set only for a confident, unambiguous match; otherwise ``candidates`` holds the
    choices to offer ("Land Cruiser", "Land Cruiser Prado") or "did you mean" suggestions.
    """

    value: str | None
    score: float
    candidates: tuple[str, ...]
    make: str | None = None


@dataclass(frozen=True)
class VehicleMention:
    """What one free-text message says about the vehicle and the part.

    ``part`` is the canonical category when one was recognised (``part_matched``), otherwise
    the leftover words that probably name a part (for free-text search), or None.
    """

    make: str | None
    model: str | None
    year: int | None
    part: str | None
    part_number: str | None
    part_matched: bool = False
    part_text: str | None = None  # the part words as written, e.g. "front brake pads"
    parts: tuple[str, ...] = ()  # every category named, in order ("brake pads and oil filter")
    condition: str | None = None  # genuine | oem | aftermarket | used, when asked for
    make_candidates: tuple[str, ...] = ()
    model_candidates: tuple[str, ...] = ()
    part_candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    kind: str  # make | model | part
    name: str  # canonical name in the catalog
    make: str | None = None  # models only
    needs_make: bool = False


@dataclass
class _Hit:
    start: int
    end: int
    entries: frozenset[_Entry]
    score: float
    canonical: bool = False  # the text is the entry's own name, not an alias
    partial: bool = False  # one word of a longer name: only ever a candidate ("door" of "door mirror")


@dataclass
class _Scan:
    hits: list[_Hit] = field(default_factory=list)
    suggestions: list[tuple[float, frozenset[_Entry]]] = field(default_factory=list)
    consumed: list[bool] = field(default_factory=list)


# --------------------------------------------------------------------------- vocabulary
class Vocabulary:
    """Makes, models and categories with their aliases, and matching of customer text."""

    def __init__(
        self,
        makes: dict[str, Iterable[str]],
        models: dict[tuple[str, str], Iterable[str]],
        categories: dict[str, Iterable[str]],
        *,
        ids: dict[tuple[str, ...], int] | None = None,
        arabic_names: dict[tuple[str, ...], str] | None = None,
        needs_make: set[tuple[str, str]] | None = None,
        model_years: dict[tuple[str, str], list[tuple[int, int]]] | None = None,
    ) -> None:
        """Build the indexes. ``makes``/``categories`` map a name to its aliases; ``models`` maps
        ``(make, model)`` to aliases. Prefer :meth:`load` (reads the database)."""
        self._ids = dict(ids or {})
        self._model_years = dict(model_years or {})
        self._arabic = dict(arabic_names or {})
        self._makes = sorted(makes)
        self._models: dict[str, list[str]] = {}
        for make, model in models:
            self._models.setdefault(make, []).append(model)
        for names in self._models.values():
            names.sort()
        self._categories = sorted(categories)
        self._exact: dict[str, set[_Entry]] = {}
        self._canonical: dict[str, set[_Entry]] = {}
        self._folded: dict[str, set[_Entry]] = {}
        self._words: dict[str, set[_Entry]] = {}
        needs = needs_make or set()
        for name, aliases in makes.items():
            self._add(_Entry("make", name), name, aliases)
        for (make, model), aliases in models.items():
            self._add(_Entry("model", model, make, (make, model) in needs), model, aliases)
        for name, aliases in categories.items():
            self._add(_Entry("part", name), name, aliases)
        self._fuzzy: dict[str, tuple[list[str], list[frozenset[_Entry]]]] = {}
        for kind in KINDS:
            keys = sorted(k for k, es in self._folded.items() if any(e.kind == kind for e in es))
            entries = [frozenset(e for e in self._folded[k] if e.kind == kind) for k in keys]
            self._fuzzy[kind] = (keys, entries)

    def _add(self, entry: _Entry, name: str, aliases: Iterable[str]) -> None:
        for key in index_keys(name):
            self._canonical.setdefault(key, set()).add(entry)
        for text in (name, *aliases):
            keys = index_keys(text)
            for key in keys:
                self._exact.setdefault(key, set()).add(entry)
            norm = normalize_text(text)
            if len(norm.replace(" ", "")) >= MIN_FUZZY_LEN:
                self._folded.setdefault(fuzzy_key(norm), set()).add(entry)
            words = norm.split()
            if len(words) > 1:
                for word in words:
                    if len(word) >= MIN_WORD_LEN and word not in GENERIC_WORDS and not word.isdigit():
                        self._words.setdefault(singular(word), set()).add(entry)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, session: Session, seed: dict | None = None) -> Vocabulary:
        """Read makes, models, categories and every alias from the database (six small queries)."""
        return cls._from_inputs(loading.from_database(session, seed))

    @classmethod
    def from_seed(cls, seed: dict | None = None) -> Vocabulary:
        """A vocabulary straight from the YAML (no database): for the NLU export and tools."""
        return cls._from_inputs(loading.from_seed(seed))

    @classmethod
    def _from_inputs(cls, inputs: loading.VocabularyInputs) -> Vocabulary:
        return cls(
            inputs.makes,
            inputs.models,
            inputs.categories,
            ids=inputs.ids,
            arabic_names=inputs.arabic_names,
            needs_make=inputs.needs_make,
            model_years=inputs.model_years,
        )

    # ------------------------------------------------------------------ listing
    def makes(self) -> list[str]:
        return list(self._makes)

    def models_for(self, make: str) -> list[str]:
        canonical = self._canonical_make(make)
        return list(self._models.get(canonical or "", []))

    def categories(self) -> list[str]:
        return list(self._categories)

    def make_id(self, make: str) -> int | None:
        return self._ids.get(("make", make))

    def model_id(self, make: str, model: str) -> int | None:
        return self._ids.get(("model", make, model))

    def category_id(self, category: str) -> int | None:
        return self._ids.get(("part", category))

    def years_covered(self) -> tuple[int, int] | None:
        """The first and last model year any part fits (None without fitment data)."""
        spans = [span for spans in self._model_years.values() for span in spans]
        if not spans:
            return None
        return min(a for a, _ in spans), max(b for _, b in spans)

    def model_has_year(self, make: str | None, model: str, year: int) -> bool | None:
        """Whether parts exist for this model in this year; None when the catalog cannot tell."""
        spans = self._model_years.get((make or "", model))
        if spans is None:
            spans = next((v for (mk, md), v in self._model_years.items() if md == model), None)
        if spans is None:
            return None
        return any(first <= year <= last for first, last in spans)

    def arabic_name(self, kind: str, *name: str) -> str | None:
        """Arabic display name: ``arabic_name("part", "Brake Pads")``, ``("model", make, model)``."""
        return self._arabic.get((kind, *name))

    # ------------------------------------------------------------------ matching
    def match_make(self, text: str) -> Match:
        """Which make the text names ("toyta", "تويوتا", "my car is a nissan")."""
        scan = self._scan(tokenize(text), ("make",))
        return self._resolve(scan, "make", None)

    def resolve_models(self, text: str, make: str | None = None) -> list[tuple[str, str]]:
        """``(make, model)`` pairs the text may mean: one when clear, several when ambiguous."""
        _, entries = self._model_entries(text, make)
        return sorted((e.make or "", e.name) for e in entries)

    def match_part_words(self, text: str) -> tuple[Match, tuple[str, ...]]:
        """The category in a part text, and its other content words ("front" in "front pads")."""
        tokens = tokenize(text)
        scan = self._scan(tokens, ("part",))
        match = self._resolve(scan, "part", None)
        extra = tuple(
            t
            for i, t in enumerate(tokens)
            if not scan.consumed[i] and (t not in STOPWORDS or t in POSITION_WORDS) and len(t) >= 2
        )
        return match, extra

    def _model_entries(self, text: str, make: str | None) -> tuple[Match, frozenset[_Entry]]:
        scan = self._scan(tokenize(text), ("make", "model"))
        makes_said = {e.name for h in scan.hits for e in h.entries if e.kind == "make"}
        given = self._canonical_make(make) if make else None
        if given:
            makes_said = {given}
        return self._resolve_entries(scan, "model", makes_said or None)

    def match_model(self, text: str, make: str | None = None) -> Match:
        """Which model the text names; with ``make`` None every make is searched.

        A make named in the text (or given) narrows the choice. If the model exists only under
        another make, it is still returned and ``Match.make`` tells the real make.
        """
        return self._model_entries(text, make)[0]

    def match_part(self, text: str) -> Match:
        """Which category the text names ("front brake pads", "فحمات", "filter zait")."""
        scan = self._scan(tokenize(text), ("part",))
        return self._resolve(scan, "part", None)

    def parse(self, text: str) -> VehicleMention:
        """Everything one message says: make, model, year, part (category or words), part number."""
        raw = fold_digits(text or "")
        raw, year = extract_year_range(raw)
        raw = GLUED_YEAR.sub(r"\1 \2", raw)
        raw, part_number = self._extract_part_number(raw)
        norm = normalize_text(raw)
        norm, year2 = extract_year(norm)
        year = year or year2
        tokens = norm.split()
        condition = next((CONDITION_INDEX[t] for t in tokens if t in CONDITION_INDEX), None)
        scan = self._scan(tokens, KINDS)
        make_m = self._resolve(scan, "make", None)
        model_m = self._resolve(scan, "model", {make_m.value} if make_m.value else None)
        make = make_m.value
        if model_m.value and model_m.make:
            make = model_m.make  # the model decides: fitment is keyed on it
        part_m = self._resolve(scan, "part", None)
        parts = _single_names(scan, "part")
        part_text = self._part_text(tokens, scan)
        part = part_m.value or (parts[0] if parts else None)
        return VehicleMention(
            make=make,
            model=model_m.value,
            year=year,
            part=part or part_text,
            part_number=part_number,
            part_matched=part is not None,
            part_text=part_text,
            parts=parts,
            condition=condition,
            make_candidates=() if make else make_m.candidates,
            model_candidates=() if model_m.value else model_m.candidates,
            part_candidates=() if part else part_m.candidates,
        )

    # ------------------------------------------------------------------ internals
    def _canonical_make(self, make: str | None) -> str | None:
        if not make:
            return None
        if make in self._models or make in self._makes:
            return make
        return self.match_make(make).value

    def _scan(self, tokens: list[str], kinds: tuple[str, ...]) -> _Scan:
        scan = _Scan(consumed=[False] * len(tokens))
        self._scan_exact(tokens, kinds, scan)
        self._scan_fuzzy(tokens, kinds, scan, sizes=(3, 2))  # "land crusier" before its words
        self._scan_words(tokens, kinds, scan)  # "cruiser" alone: candidates, not a guess
        self._scan_fuzzy(tokens, kinds, scan, sizes=(1,))
        scan.hits.sort(key=lambda h: h.start)
        return scan

    def _scan_exact(self, tokens: list[str], kinds: tuple[str, ...], scan: _Scan) -> None:
        n = len(tokens)
        for size in range(min(MAX_NGRAM, n), 0, -1):
            for start in range(n - size + 1):
                span = tokens[start : start + size]
                if any(scan.consumed[start : start + size]) or (size == 1 and span[0] in STOPWORDS):
                    continue
                if size > 1 and (span[0] in STOPWORDS or span[-1] in STOPWORDS) and is_filler(span):
                    continue
                found = self._lookup(span, kinds)
                if found:
                    entries, canonical = found
                    scan.hits.append(_Hit(start, start + size, entries, 100.0, canonical))
                    scan.consumed[start : start + size] = [True] * size

    def _lookup(self, span: list[str], kinds: tuple[str, ...]) -> tuple[frozenset[_Entry], bool] | None:
        variants = [token_variants(t) for t in span]
        combos = itertools.islice(itertools.product(*variants), 27)
        best: tuple[frozenset[_Entry], bool] | None = None
        for combo in combos:
            for key in (" ".join(combo), "".join(combo)):
                canonical = {e for e in self._canonical.get(key, ()) if e.kind in kinds}
                if canonical:
                    return frozenset(canonical), True
                entries = {e for e in self._exact.get(key, ()) if e.kind in kinds}
                if not entries:
                    folded = fuzzy_key(key)
                    entries = {e for e in self._folded.get(folded, ()) if e.kind in kinds}
                if entries and best is None:
                    best = (frozenset(entries), False)
        return best

    def _scan_fuzzy(
        self, tokens: list[str], kinds: tuple[str, ...], scan: _Scan, sizes: tuple[int, ...]
    ) -> None:
        n = len(tokens)
        for size in (s for s in sizes if s <= n):
            for start in range(n - size + 1):
                span = tokens[start : start + size]
                if any(scan.consumed[start : start + size]) or not fuzzable(span):
                    continue
                score, entries = self._fuzzy_best(span, kinds)
                if score >= ACCEPT_SCORE:
                    scan.hits.append(_Hit(start, start + size, entries, score))
                    scan.consumed[start : start + size] = [True] * size
                elif score >= SUGGEST_SCORE and size == 1:
                    scan.suggestions.append((score, entries))

    def _fuzzy_best(self, span: list[str], kinds: tuple[str, ...]) -> tuple[float, frozenset[_Entry]]:
        best_score: float = 0.0
        best: set[_Entry] = set()
        for combo in itertools.islice(itertools.product(*[token_variants(t) for t in span]), 9):
            key = fuzzy_key(" ".join(combo))
            if len(key) < MIN_FUZZY_LEN:
                continue
            for kind in kinds:
                keys, entries = self._fuzzy[kind]
                for _, score, idx in process.extract(
                    key, keys, scorer=fuzz.ratio, limit=6, score_cutoff=max(SUGGEST_SCORE, best_score - 0.5)
                ):
                    if score > best_score + 0.5:
                        best_score, best = score, set(entries[idx])
                    elif score >= best_score - 0.5:
                        best |= entries[idx]
        return best_score, frozenset(best)

    def _scan_words(self, tokens: list[str], kinds: tuple[str, ...], scan: _Scan) -> None:
        for i, token in enumerate(tokens):
            if scan.consumed[i] or token in STOPWORDS:
                continue
            for variant in token_variants(token):
                entries = frozenset(e for e in self._words.get(singular(variant), ()) if e.kind in kinds)
                if entries:
                    scan.hits.append(_Hit(i, i + 1, entries, WORD_SCORE, partial=True))
                    scan.consumed[i] = True
                    break

    def _extract_part_number(self, raw: str) -> tuple[str, str | None]:
        """Find a part number ("04465-60320", "04465 60320", "90915-YZZD1") and cut it out."""
        chunks = list(_NUMBER_CHUNK.finditer(raw))
        merged: list[tuple[int, int]] = []
        for m in chunks:
            if (
                merged
                and joinable(raw[merged[-1][0] : merged[-1][1]], m.group(0))
                and not raw[merged[-1][1] : m.start()].strip()
            ):
                merged[-1] = (merged[-1][0], m.end())
            else:
                merged.append((m.start(), m.end()))
        for start, end in merged:
            candidate = raw[start:end]
            if self._looks_like_part_number(candidate):
                return raw[:start] + " " + raw[end:], candidate.strip()
        return raw, None

    def _looks_like_part_number(self, candidate: str) -> bool:
        norm = normalize_part_number(candidate)
        digits = sum(ch.isdigit() for ch in norm)
        if not (5 <= len(norm) <= 24) or digits < 3 or _VIN.match(norm) or _PHONE.match(candidate):
            return False
        if len(norm) == 5 and "-" not in candidate:
            return False
        if norm.isdigit() and len(norm) == 4:
            return False
        return normalize_text(candidate) not in self._exact and norm.lower() not in self._exact

    def _resolve(self, scan: _Scan, kind: str, makes: set[str] | None) -> Match:
        return self._resolve_entries(scan, kind, makes)[0]

    def _resolve_entries(
        self, scan: _Scan, kind: str, makes: set[str] | None
    ) -> tuple[Match, frozenset[_Entry]]:
        """The match of one kind from a scan (first unambiguous hit, else candidates) and the
        entries behind it (one, several when ambiguous, none for mere suggestions)."""
        said = {e.name for h in scan.hits for e in h.entries if e.kind == "make"}
        ambiguous: list[tuple[float, set[_Entry]]] = []
        for hit in scan.hits:
            entries = {e for e in hit.entries if e.kind == kind}
            entries = {e for e in entries if not e.needs_make or e.make in (makes or said)}
            if not entries:
                continue
            if kind == "model" and makes:
                narrowed = {e for e in entries if e.make in makes}
                entries = narrowed or entries
            if len(entries) == 1 and not hit.partial:
                entry = next(iter(entries))
                match = Match(entry.name, hit.score, (), entry.make if kind == "model" else None)
                return match, frozenset(entries)
            ambiguous.append((hit.score, entries))
        if ambiguous:
            score, entries = ambiguous[0]
            return Match(None, score, _names(entries)), frozenset(entries)
        suggestions = [(score, {e for e in entries if e.kind == kind}) for score, entries in scan.suggestions]
        suggestions = [(s, es) for s, es in suggestions if es]
        if suggestions:
            suggestions.sort(key=lambda item: -item[0])
            merged: set[_Entry] = set().union(*(es for _, es in suggestions))
            return Match(None, suggestions[0][0], _names(merged, order=suggestions)), frozenset()
        return Match(None, 0.0, ()), frozenset()

    @staticmethod
    def _part_text(tokens: list[str], scan: _Scan) -> str | None:
        """Words about the part: the part hits plus leftover words that are not filler."""
        vehicle = {
            i
            for h in scan.hits
            if all(e.kind in ("make", "model") for e in h.entries)
            for i in range(h.start, h.end)
        }
        words = [
            t
            for i, t in enumerate(tokens)
            if i not in vehicle
            and (t not in STOPWORDS or t in POSITION_WORDS)
            and t not in CONDITION_INDEX
            and not t.isdigit()
            and (scan.consumed[i] or len(t) >= 3)
        ]
        return " ".join(words) or None


# --------------------------------------------------------------------------- helpers
def _single_names(scan: _Scan, kind: str) -> tuple[str, ...]:
    """Names of every unambiguous hit of one kind, in text order, without repeats."""
    names = []
    for hit in scan.hits:
        of_kind = {e.name for e in hit.entries if e.kind == kind}
        if len(of_kind) == 1:
            names.append(of_kind.pop())
    return tuple(dict.fromkeys(names))


def _names(entries: Iterable[_Entry], order: list | None = None) -> tuple[str, ...]:
    """Display names of candidates; "Make Model" when one model name exists under two makes."""
    entries = list(entries)
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.name] = counts.get(e.name, 0) + 1
    names = [f"{e.make} {e.name}" if e.kind == "model" and counts[e.name] > 1 else e.name for e in entries]
    if order:
        rank = {}
        for pos, (_, es) in enumerate(order):
            for e in es:
                rank.setdefault(e.name, pos)
        return tuple(sorted(dict.fromkeys(names), key=lambda n: (rank.get(n.split(" ", 1)[-1], 99), n)))
    return tuple(sorted(dict.fromkeys(names)))
