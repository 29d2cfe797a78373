"""The catalog's vocabulary: makes, models and part categories, and how customers write them.

Customers write "toyta landcrusier", "للاندكروزر", "abi fa7mat patrol 2018". This module turns
such text into canonical catalog names. It works on the *small* vocabulary (a few hundred
names and aliases loaded once from the database), never on the parts table:

1. exact lookup of every n-gram (longest first) in an index of names, aliases and their
   no-space / singular / Arabizi-folded forms, trying Arabic words with and without
   proclitics (و ب ل ف ك ال);
2. typo tolerance with rapidfuzz (``fuzz.ratio`` on loose keys, cut-off :data:`ACCEPT_SCORE`);
   scores between :data:`SUGGEST_SCORE` and the cut-off only become "did you mean" candidates;
3. a single word shared by several names ("cruiser", "filter", "فلتر") gives candidates,
   not a guess.

The seed spellings live in ``catalog/vocabulary/*.yml`` (staff-editable);
:func:`sync_vocabulary` copies them into the alias tables for the makes, models and categories
the catalog really has. :class:`Vocabulary` reads those tables; :class:`VocabularyCache` keeps
one per process and refreshes it after a TTL.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.normalize import (
    arabic_variants,
    fuzzy_key,
    has_arabic,
    normalize_arabic,
    normalize_part_number,
    normalize_text,
    singular,
)
from catalog.schema import (
    Category,
    CategorySynonym,
    Make,
    MakeAlias,
    Model,
    ModelAlias,
)

SEED_DIR = Path(__file__).resolve().parent / "vocabulary"
ACCEPT_SCORE = 85.0  # fuzzy score from which a spelling is taken as the name
SUGGEST_SCORE = 70.0  # fuzzy score from which a name is offered as "did you mean"
WORD_SCORE = 90.0  # score of candidates found through one word of longer names ("cruiser")
MIN_WORD_LEN = 4  # a shorter word of a longer name ("oil", "lc") never stands for it alone
MIN_FUZZY_LEN = 5  # shorter words are matched exactly only ("yes" never becomes "ES", "step" not "stop")
MAX_NGRAM = 4
MIN_YEAR = 1950

KINDS = ("make", "model", "part")
LANGS = ("en", "ar", "arabizi")


def _wordlist(text: str) -> list[str]:
    return text.split()


# Words that never name a make, model or part on their own (they may still be part of a
# longer alias such as "front pads"). English, Gulf Arabic and Arabizi filler.
STOPWORDS = frozenset(
    _wordlist(
        """
    i im i'm me my mine we our you your u ur a an the this that these those it its is are am be was
    need needs want wanted looking look search find get got have has had do does did can could would
    for to of in on at by with from and or but not no yes ok okay please pls plz thanks thank thx
    hi hello hey salam dear sir bro brother habibi price prices cost how much what which when where
    any some available availability stock there here send give show tell quote quotation
    car cars vehicle auto part parts spare spares piece item items one two new used genuine original
    oem aftermarket copy model models year years yr make brand type size number no
    front rear back left right side upper lower top bottom inner outer complete full set kit assembly
    abi abgha abga aby abee ibgha bghit 3ndk 3indak 3ndkm fi fee hal kam b kam bkam ya akhi akhoy
    sayarti sayarah sayara mal hag haq 7ag 7aq shu shno wesh gdam 9dam jdam giddam wara wra ura
    yameen yasar fog ta7t
    ابي ابى ابغى ابغي ابا ابغا نبي نبغى بغيت اريد احتاج محتاج عندكم عندك عندكو فيه في هل يوجد
    متوفر متوفره موجود حق حقت حقي مال سيارتي سياره سيارتنا لسيارتي للسياره موديل مودل موديلات سنه
    كم بكم سعر السعر اسعار لو سمحت سمحت من على الى عن مع هذا هذي هذه ذا شي شيء او و يا اخوي اخي
    الله السلام عليكم سلام مرحبا هلا شكرا ممكن لو سمحتو قطع غيار قطعه قطعة اصلي تجاري مستعمل
    جديد وكاله وكالة نوع رقم قدام ورا خلفي امامي يمين يسار فوق تحت كامل طقم
    """
    )
)
# Position words are filler for matching but kept in the part text ("front brake pads").
POSITION_WORDS = frozenset(
    _wordlist(
        "front rear back left right side upper lower inner outer "
        "gdam 9dam jdam giddam wara wra ura yameen yasar قدام ورا خلفي امامي يمين يسار فوق تحت"
    )
)
# Words too generic to stand for a longer name on their own ("front" of "front bumper").
GENERIC_WORDS = STOPWORDS | frozenset(_wordlist("engine motor car auto class series system unit assy cover"))

CONDITION_WORDS = {
    "genuine": _wordlist(
        "genuine original orig asli asly wakala wekala اصلي الاصلي وكاله وكالة الوكاله الوكالة"
    ),
    "oem": _wordlist("oem oe"),
    "aftermarket": _wordlist("aftermarket commercial copy tijari tjari تجاري التجاري كوبي"),
    "used": _wordlist("used secondhand mosta3mal musta3mal mustamal scrap مستعمل المستعمل سكراب تشليح"),
}
_CONDITION_INDEX = {normalize_text(w): c for c, words in CONDITION_WORDS.items() for w in words}

_YEAR_WORDS = r"(?:model|modal|mdl|year|yr|m|موديل|مودل|موديلات|سنه|سنة|سنت)"
_TWO_DIGIT_YEAR = re.compile(rf"(?:^|\s){_YEAR_WORDS}\s*(\d{{2}})(?=\s|$)")
_APOSTROPHE_YEAR = re.compile(r"['’‘`](\d{2})\b")
_YEAR_RANGE = re.compile(r"(?<![\w-])((?:19|20)\d\d)\s*(?:-|–|/|to|الى|إلى)\s*((?:19|20)?\d\d)(?![\w-])")
_GLUED_YEAR = re.compile(r"([^\W\d_]{3,})((?:19|20)\d\d)(?!\d)")
_NUMBER_CHUNK = re.compile(r"[A-Za-z0-9]+(?:[-./][A-Za-z0-9]+)*")
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_PHONE = re.compile(r"^(?:\+?971|00971|0)5\d{8}$|^\+?\d{11,15}$")
_DIGIT_FOLD = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class SeedError(ValueError):
    """The YAML seed is malformed; the message names the file and the entry."""


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


# --------------------------------------------------------------------------- seed
def load_seed(directory: Path | str | None = None) -> dict:
    """Read and validate ``makes.yml``, ``models.yml`` and ``parts.yml``.

    Shape: ``{"makes": {make: spellings}, "models": {make: {model: spellings}},
    "parts": {category: spellings}}`` where spellings is ``{"ar": [...], "en": [...],
    "arabizi": [...], "needs_make": bool}`` (lists always present, strings stripped).
    """
    directory = Path(directory) if directory else SEED_DIR
    files = [directory / f"{name}.yml" for name in ("makes", "models", "parts")]
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files if f.exists())
    return _load_seed_cached(stamp, str(directory))


@lru_cache(maxsize=4)
def _load_seed_cached(stamp: tuple, directory: str) -> dict:
    folder = Path(directory)
    makes = _read_yaml(folder / "makes.yml")
    models = _read_yaml(folder / "models.yml")
    parts = _read_yaml(folder / "parts.yml")
    return {
        "makes": {str(k): _spellings(v, f"makes.yml: {k}") for k, v in makes.items()},
        "models": {
            str(make): {
                str(model): _spellings(v, f"models.yml: {make} / {model}")
                for model, v in _mapping(entries, f"models.yml: {make}").items()
            }
            for make, entries in models.items()
        },
        "parts": {str(k): _spellings(v, f"parts.yml: {k}") for k, v in parts.items()},
    }


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - safe loader
    except yaml.YAMLError as exc:
        raise SeedError(f"{path.name}: not valid YAML ({exc})") from exc
    return _mapping(data or {}, path.name)


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise SeedError(f"{where}: expected a mapping of names, got {type(value).__name__}")
    return value


def _spellings(value: object, where: str) -> dict:
    value = _mapping(value or {}, where)
    unknown = set(value) - {*LANGS, "needs_make"}
    if unknown:
        raise SeedError(f"{where}: unknown key(s) {sorted(unknown)}; use en, ar, arabizi, needs_make")
    out: dict = {"needs_make": bool(value.get("needs_make", False))}
    for lang in LANGS:
        items = value.get(lang) or []
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise SeedError(f"{where}: '{lang}' must be a list like [word, other word]")
        out[lang] = [str(item).strip() for item in items if str(item).strip()]
    return out


# --------------------------------------------------------------------------- key helpers
def _keys(text: str) -> set[str]:
    """Exact-index keys for a name or alias: normalised, without spaces, singular."""
    norm = normalize_text(text)
    if not norm:
        return set()
    words = norm.split()
    single = " ".join(singular(w) for w in words)
    return {norm, norm.replace(" ", ""), single, single.replace(" ", "")}


def _token_variants(token: str) -> list[str]:
    if has_arabic(token):
        return arabic_variants(token)
    return [token] if singular(token) == token else [token, singular(token)]


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
    ) -> None:
        """Build the indexes. ``makes``/``categories`` map a name to its aliases; ``models`` maps
        ``(make, model)`` to aliases. Prefer :meth:`load` (reads the database)."""
        self._ids = dict(ids or {})
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
        for key in _keys(name):
            self._canonical.setdefault(key, set()).add(entry)
        for text in (name, *aliases):
            keys = _keys(text)
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
        seed = load_seed() if seed is None else seed
        makes = {row.id: row for row in session.execute(select(Make.id, Make.name, Make.name_ar))}
        models = {
            row.id: row for row in session.execute(select(Model.id, Model.make_id, Model.name, Model.name_ar))
        }
        cats = {row.id: row for row in session.execute(select(Category.id, Category.name, Category.name_ar))}
        make_aliases: dict[str, list[str]] = {row.name: [] for row in makes.values()}
        for make_id, alias in session.execute(select(MakeAlias.make_id, MakeAlias.alias)):
            make_aliases[makes[make_id].name].append(alias)
        model_aliases: dict[tuple[str, str], list[str]] = {
            (makes[row.make_id].name, row.name): [] for row in models.values()
        }
        for model_id, alias in session.execute(select(ModelAlias.model_id, ModelAlias.alias)):
            row = models[model_id]
            model_aliases[(makes[row.make_id].name, row.name)].append(alias)
        cat_aliases: dict[str, list[str]] = {row.name: [] for row in cats.values()}
        for cat_id, term in session.execute(select(CategorySynonym.category_id, CategorySynonym.term)):
            cat_aliases[cats[cat_id].name].append(term)
        # The Arabic display names are spellings too.
        for row in makes.values():
            if row.name_ar:
                make_aliases[row.name].append(row.name_ar)
        for row in models.values():
            if row.name_ar:
                model_aliases[(makes[row.make_id].name, row.name)].append(row.name_ar)
        for row in cats.values():
            if row.name_ar:
                cat_aliases[row.name].append(row.name_ar)
        ids: dict[tuple[str, ...], int] = {("make", r.name): i for i, r in makes.items()}
        ids.update({("model", makes[r.make_id].name, r.name): i for i, r in models.items()})
        ids.update({("part", r.name): i for i, r in cats.items()})
        arabic: dict[tuple[str, ...], str] = {
            ("make", r.name): r.name_ar for r in makes.values() if r.name_ar
        }
        arabic.update(
            {("model", makes[r.make_id].name, r.name): r.name_ar for r in models.values() if r.name_ar}
        )
        arabic.update({("part", r.name): r.name_ar for r in cats.values() if r.name_ar})
        return cls(
            make_aliases,
            model_aliases,
            cat_aliases,
            ids=ids,
            arabic_names=arabic,
            needs_make=_needs_make(seed, model_aliases),
        )

    @classmethod
    def from_seed(cls, seed: dict | None = None) -> Vocabulary:
        """A vocabulary straight from the YAML (no database): for the NLU export and tools."""
        seed = load_seed() if seed is None else seed

        def spellings(spell: dict) -> list[str]:
            return [t for lang in LANGS for t in spell.get(lang, [])]

        makes = {name: spellings(sp) for name, sp in seed.get("makes", {}).items()}
        models = {
            (make, model): spellings(sp)
            for make, entries in seed.get("models", {}).items()
            for model, sp in entries.items()
        }
        for make, _ in models:
            makes.setdefault(make, [])
        cats = {name: spellings(sp) for name, sp in seed.get("parts", {}).items()}
        return cls(makes, models, cats, needs_make=_needs_make(seed, dict.fromkeys(models, [])))

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

    def arabic_name(self, kind: str, *name: str) -> str | None:
        """Arabic display name: ``arabic_name("part", "Brake Pads")``, ``("model", make, model)``."""
        return self._arabic.get((kind, *name))

    # ------------------------------------------------------------------ matching
    def match_make(self, text: str) -> Match:
        """Which make the text names ("toyta", "تويوتا", "my car is a nissan")."""
        scan = self._scan(_tokens(text), ("make",))
        return self._resolve(scan, "make", None)

    def resolve_models(self, text: str, make: str | None = None) -> list[tuple[str, str]]:
        """``(make, model)`` pairs the text may mean: one when clear, several when ambiguous."""
        _, entries = self._model_entries(text, make)
        return sorted((e.make or "", e.name) for e in entries)

    def match_part_words(self, text: str) -> tuple[Match, tuple[str, ...]]:
        """The category in a part text, and its other content words ("front" in "front pads")."""
        tokens = _tokens(text)
        scan = self._scan(tokens, ("part",))
        match = self._resolve(scan, "part", None)
        extra = tuple(
            t
            for i, t in enumerate(tokens)
            if not scan.consumed[i] and (t not in STOPWORDS or t in POSITION_WORDS) and len(t) >= 2
        )
        return match, extra

    def _model_entries(self, text: str, make: str | None) -> tuple[Match, frozenset[_Entry]]:
        scan = self._scan(_tokens(text), ("make", "model"))
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
        scan = self._scan(_tokens(text), ("part",))
        return self._resolve(scan, "part", None)

    def parse(self, text: str) -> VehicleMention:
        """Everything one message says: make, model, year, part (category or words), part number."""
        raw = _fold_digits(text or "")
        raw, year = _extract_year_range(raw)
        raw = _GLUED_YEAR.sub(r"\1 \2", raw)
        raw, part_number = self._extract_part_number(raw)
        norm = normalize_text(raw)
        norm, year2 = _extract_year(norm)
        year = year or year2
        tokens = norm.split()
        condition = next((_CONDITION_INDEX[t] for t in tokens if t in _CONDITION_INDEX), None)
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
                if size > 1 and (span[0] in STOPWORDS or span[-1] in STOPWORDS) and _is_filler(span):
                    continue
                found = self._lookup(span, kinds)
                if found:
                    entries, canonical = found
                    scan.hits.append(_Hit(start, start + size, entries, 100.0, canonical))
                    scan.consumed[start : start + size] = [True] * size

    def _lookup(self, span: list[str], kinds: tuple[str, ...]) -> tuple[frozenset[_Entry], bool] | None:
        variants = [_token_variants(t) for t in span]
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
                if any(scan.consumed[start : start + size]) or not _fuzzable(span):
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
        for combo in itertools.islice(itertools.product(*[_token_variants(t) for t in span]), 9):
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
            for variant in _token_variants(token):
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
                and _joinable(raw[merged[-1][0] : merged[-1][1]], m.group(0))
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
            and t not in _CONDITION_INDEX
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


def _needs_make(seed: dict, models: dict[tuple[str, str], list[str]]) -> set[tuple[str, str]]:
    flagged = set()
    by_norm = {(normalize_text(make), normalize_text(model)): (make, model) for make, model in models}
    for make, entries in seed.get("models", {}).items():
        for model, spell in entries.items():
            if spell.get("needs_make"):
                key = (normalize_text(make), normalize_text(model))
                if key in by_norm:
                    flagged.add(by_norm[key])
    return flagged


def _fold_digits(text: str) -> str:
    return text.translate(_DIGIT_FOLD)


def tokenize(text: str) -> list[str]:
    """The words matching works on: normalised, Arabic-Indic digits folded."""
    return normalize_text(_fold_digits(text or "")).split()


_tokens = tokenize


def _is_filler(span: list[str]) -> bool:
    return all(t in STOPWORDS for t in span)


def _fuzzable(span: list[str]) -> bool:
    if any(t in STOPWORDS or t.isdigit() or t in _CONDITION_INDEX for t in span):
        return False
    if len(span) == 1:
        return len(span[0]) >= MIN_FUZZY_LEN
    return all(len(t) >= 2 for t in span)


def _joinable(left: str, right: str) -> bool:
    """Join digit groups typed with spaces ("04465 60320", "0 986 494 123"), never a year."""

    def groupish(chunk: str) -> bool:
        digits = sum(c.isdigit() for c in chunk)
        return digits >= 1 and digits * 2 >= len(chunk) and not _is_year(chunk)

    return groupish(left) and groupish(right)


def _is_year(s: str) -> bool:
    return s.isdigit() and len(s) == 4 and MIN_YEAR <= int(s) <= date.today().year + 1


def _extract_year_range(raw: str) -> tuple[str, int | None]:
    m = _YEAR_RANGE.search(raw)
    if m and _is_year(m.group(1)):
        return raw[: m.start()] + " " + raw[m.end() :], int(m.group(1))
    return raw, None


def _extract_year(norm: str) -> tuple[str, int | None]:
    """Four-digit year anywhere; two-digit year only after "model"/"موديل" ("model 15" -> 2015).

    Bare two-digit numbers are never years: "lc 70", "x5", "f 150" are model names.
    """
    tokens = norm.split()
    for i, token in enumerate(tokens):
        if _is_year(token):
            return " ".join(tokens[:i] + tokens[i + 1 :]), int(token)
    m = _TWO_DIGIT_YEAR.search(norm)
    if m:
        yy = int(m.group(1))
        pivot = date.today().year % 100 + 1
        year = 2000 + yy if yy <= pivot else 1900 + yy
        if year >= MIN_YEAR:
            return (norm[: m.start(1)] + norm[m.end(1) :]).strip(), year
    return norm, None


# --------------------------------------------------------------------------- sync
@dataclass
class SyncReport:
    """What :func:`sync_vocabulary` changed (all zero on a second run)."""

    aliases_added: int = 0
    aliases_removed: int = 0
    arabic_names_set: int = 0
    unmatched: list[str] = field(default_factory=list)  # seed names the catalog does not have


def sync_vocabulary(session: Session, seed: dict | None = None, prune: bool = False) -> SyncReport:
    """Copy the YAML spellings into the alias tables for what the catalog has. Idempotent.

    Creates no makes, models or categories. Fills ``name_ar`` only where it is empty (an Arabic
    name from the CSV wins). With ``prune`` also deletes aliases of seeded names that are no
    longer in the YAML (how staff remove a bad spelling). Flushes; the caller commits.
    """
    seed = load_seed() if seed is None else seed
    report = SyncReport()
    makes = list(session.execute(select(Make)).scalars())
    make_by_key = _by_key(makes, lambda m: m.name)
    for seed_name, spell in seed.get("makes", {}).items():
        make = _find(make_by_key, seed_name, spell)
        if make is None:
            report.unmatched.append(f"make {seed_name}")
            continue
        _sync_one(session, make, seed_name, spell, MakeAlias, "make_id", "alias", report, prune)
    models = list(session.execute(select(Model)).scalars())
    for seed_make, entries in seed.get("models", {}).items():
        make = _find(make_by_key, seed_make, seed.get("makes", {}).get(seed_make, {}))
        if make is None:
            continue
        by_key = _by_key([m for m in models if m.make_id == make.id], lambda m: m.name)
        for seed_name, spell in entries.items():
            model = _find(by_key, seed_name, spell)
            if model is None:
                report.unmatched.append(f"model {seed_make} {seed_name}")
                continue
            _sync_one(session, model, seed_name, spell, ModelAlias, "model_id", "alias", report, prune)
    cats = list(session.execute(select(Category)).scalars())
    cat_by_key = _by_key(cats, lambda c: c.name)
    for seed_name, spell in seed.get("parts", {}).items():
        cat = _find(cat_by_key, seed_name, spell)
        if cat is None:
            report.unmatched.append(f"category {seed_name}")
            continue
        _sync_one(session, cat, seed_name, spell, CategorySynonym, "category_id", "term", report, prune)
    session.flush()
    return report


def _match_key(text: str) -> str:
    return "".join(singular(w) for w in normalize_text(text).split())


def _by_key(rows: list, name: Callable) -> dict[str, object]:
    return {_match_key(name(r)): r for r in rows}


def _find(by_key: dict, seed_name: str, spell: dict):  # noqa: ANN202 - returns an ORM row
    """The catalog row for a seed entry: by its name, else by an English spelling of it."""
    for text in (seed_name, *spell.get("en", [])):
        row = by_key.get(_match_key(text))
        if row is not None:
            return row
    return None


def _sync_one(
    session: Session,
    row,  # noqa: ANN001 - Make | Model | Category
    seed_name: str,
    spell: dict,
    alias_cls: type,
    fk: str,
    column: str,
    report: SyncReport,
    prune: bool,
) -> None:
    ar = spell.get("ar", [])
    if ar and not row.name_ar:
        row.name_ar = ar[0][:64]
        report.arabic_names_set += 1
    wanted: dict[str, tuple[str, str]] = {}
    own = normalize_text(row.name)
    spellings = [(seed_name, "en")] + [(text, lang) for lang in LANGS for text in spell.get(lang, [])]
    for text, lang in spellings:
        norm = normalize_text(text)[:64]
        if norm and norm != own and norm not in wanted:
            wanted[norm] = (text[:64], lang)
    existing = {
        r.alias_norm if hasattr(r, "alias_norm") else r.term_norm: r
        for r in session.execute(select(alias_cls).where(getattr(alias_cls, fk) == row.id)).scalars()
    }
    norm_col = "alias_norm" if column == "alias" else "term_norm"
    for norm, (text, lang) in wanted.items():
        if norm not in existing:
            session.add(alias_cls(**{fk: row.id, column: text, norm_col: norm, "lang": lang}))
            report.aliases_added += 1
    if prune:
        stale = [r.id for norm, r in existing.items() if norm not in wanted]
        if stale:
            session.execute(delete(alias_cls).where(alias_cls.id.in_(stale)))
            report.aliases_removed += len(stale)


# --------------------------------------------------------------------------- cache
class VocabularyCache:
    """One :class:`Vocabulary` per session factory, reloaded after ``ttl_seconds``.

    Thread-safe; a failed reload keeps serving the previous vocabulary (and re-raises only
    when there is none yet).
    """

    def __init__(self, session_factory: Callable[[], Session], ttl_seconds: float = 300.0) -> None:
        self._factory = session_factory
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._vocab: Vocabulary | None = None
        self._loaded_at = 0.0

    def get(self) -> Vocabulary:
        now = time.monotonic()
        if self._vocab is not None and now - self._loaded_at < self._ttl:
            return self._vocab
        with self._lock:
            if self._vocab is not None and time.monotonic() - self._loaded_at < self._ttl:
                return self._vocab
            try:
                with self._factory() as session:
                    self._vocab = Vocabulary.load(session)
            except Exception:
                if self._vocab is None:
                    raise
                # keep the old vocabulary; try again after another TTL
            self._loaded_at = time.monotonic()
            return self._vocab

    def invalidate(self) -> None:
        """Force a reload on the next :meth:`get` (after an import)."""
        with self._lock:
            self._loaded_at = 0.0


__all__ = [
    "ACCEPT_SCORE",
    "Match",
    "SeedError",
    "SyncReport",
    "VehicleMention",
    "Vocabulary",
    "VocabularyCache",
    "load_seed",
    "normalize_arabic",
    "sync_vocabulary",
]


# --------------------------------------------------------------------------- command line
def _cli(argv: list[str] | None = None) -> int:
    """``python -m catalog.vocabulary sync [--prune]`` and ``... parse "text"`` for staff."""
    import argparse

    from catalog.db import make_engine, make_session_factory, session_scope
    from catalog.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m catalog.vocabulary", description=_cli.__doc__)
    parser.add_argument("--database-url", default=None, help="default: $DATABASE_URL or var/catalog.db")
    sub = parser.add_subparsers(dest="command", required=True)
    sync = sub.add_parser("sync", help="copy catalog/vocabulary/*.yml into the alias tables")
    sync.add_argument("--prune", action="store_true", help="also delete spellings removed from the YAML")
    parse = sub.add_parser("parse", help="show how a customer message is understood")
    parse.add_argument("text")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url or Settings.from_env().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            if args.command == "sync":
                report = sync_vocabulary(session, prune=args.prune)
                print(
                    f"aliases added {report.aliases_added}, removed {report.aliases_removed}, "
                    f"Arabic names set {report.arabic_names_set}; "
                    f"{len(report.unmatched)} seed entries not in the catalog"
                )
            else:
                print(Vocabulary.load(session).parse(args.text))
    except SeedError as exc:
        print(f"error: {exc}")
        return 3
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(_cli())
