"""Part search: by part number, or by category/words for a vehicle, ranked for a sales answer.

Order of attack (see docs/catalog-search.md):

1. a part number (own number, OEM or interchange; any formatting) -> indexed equality on the
   normalised columns, then prefix for 6+ characters;
2. the part text -> a category through the vocabulary ("فحمات" -> Brake Pads); an ambiguous word
   ("filter") searches all its categories, the best one first;
3. no category -> every word of the text must appear in the part name (LIKE);
4. the vehicle -> ``fitments`` (model ids, ``year`` within ``year_from..year_to``; make only is fine).

Ranking: exact fitment first (a fitment of the very model asked for, in its year, for any
engine), then in stock, then the exact category and more of the customer's extra words in the
name ("front"), then price, then id. One ranked query, then one query each for the hits'
numbers and fitments (no N+1). Each hit says which of its fitments matched the customer's car
(``fits``: "Chevrolet Tahoe 2015-2020") and its name without another vehicle in it
(``short_name``: "Front Brake Pads" for "Front Brake Pads - GMC Yukon K2UG 2015-2020").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, bindparam, case, func, select, union
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from catalog.normalize import normalize_part_number
from catalog.schema import CONDITIONS, Category, Fitment, Make, Model, Part, PartNumber
from catalog.vocabulary import ACCEPT_SCORE, STOPWORDS, Vocabulary, tokenize
from shopkernel.language import has_arabic
from shopkernel.numerals import MIN_YEAR, is_model_year, max_year

MAX_LIMIT = 100
MAX_OFFSET = 10_000  # deeper pages are not browsing any more: narrow the query instead
MIN_PREFIX = 6  # shorter numbers are matched exactly only (a prefix of 3 chars matches thousands)
SHOWN_VEHICLES = 2
# Customer position words -> the English words used in part names.
_POSITIONS = {
    "front": "front", "qudam": "front", "gdam": "front", "9dam": "front", "jdam": "front", "giddam": "front",
    "قدام": "front", "امامي": "front", "اماميه": "front",
    "rear": "rear", "back": "rear", "wara": "rear", "wra": "rear", "ura": "rear",
    "ورا": "rear", "خلفي": "rear", "خلفيه": "rear",
    "left": "left", "yasar": "left", "يسار": "left", "right": "right", "yameen": "right", "يمين": "right",
    "upper": "upper", "فوق": "upper", "فوقاني": "upper", "lower": "lower", "تحت": "lower", "تحتاني": "lower",
}  # fmt: skip


MAX_TEXT = 200  # characters of each free-text field a search looks at


class SearchError(ValueError):
    """The query cannot be run as given (bad limit, impossible year, empty part number)."""


@dataclass(frozen=True)
class PartQuery:
    """What to look for. Free text is fine in every field; the vocabulary resolves it."""

    make: str | None = None
    model: str | None = None
    year: int | None = None
    part: str | None = None  # category name or free part text ("front brake pads", "فحمات")
    part_number: str | None = None  # any formatting: "04465-60320", "0446560320", "04465 60320"
    limit: int = 10
    condition: str | None = None  # only this condition (genuine | oem | aftermarket | used)
    in_stock: bool = False  # only parts with stock > 0
    brand: str | None = None  # only this brand (case-insensitive, exact: "denso", "Toyota Genuine")
    offset: int = 0  # skip this many ranked hits (pages of the same query)

    def __post_init__(self) -> None:
        # Matching costs grow with the square of the text: a 100,000-character "part" from the
        # public API took minutes. No make, model or part name is longer than this.
        for name in ("make", "model", "part", "part_number"):
            value = getattr(self, name)
            if isinstance(value, str) and len(value) > MAX_TEXT:
                object.__setattr__(self, name, value[:MAX_TEXT])
        if not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, got {self.limit!r}")
        if not isinstance(self.offset, int) or not 0 <= self.offset <= MAX_OFFSET:
            raise SearchError(f"offset must be between 0 and {MAX_OFFSET}, got {self.offset!r}")
        if self.year is not None and not is_model_year(self.year):
            raise SearchError(f"year must be a number between {MIN_YEAR} and {max_year()}, got {self.year!r}")
        if self.condition is not None and self.condition not in CONDITIONS:
            raise SearchError(f"condition must be one of {', '.join(CONDITIONS)}, got {self.condition!r}")


@dataclass(frozen=True)
class PartHit:
    part_id: int
    sku: str
    name: str
    category: str
    brand: str
    part_number: str
    oem_numbers: tuple[str, ...]
    price_aed: Decimal
    stock: int
    condition: str
    fitment: str  # short human text, e.g. "Toyota Land Cruiser 2008-2021"
    fits: str = ""  # the fitment(s) that matched the asked vehicle, e.g. "Chevrolet Tahoe 2015-2020"
    short_name: str = ""  # the name without the vehicle it was written for ("Front Brake Pads")


@dataclass(frozen=True)
class _Vehicle:
    model_ids: tuple[int, ...] = ()
    make_id: int | None = None
    year: int | None = None
    exact_model_id: int | None = None  # the model the customer named (not a look-alike candidate)

    def condition(self) -> ColumnElement:
        """SQL condition on ``fitments`` for this vehicle."""
        terms = []
        if self.model_ids:
            terms.append(Fitment.model_id.in_(self.model_ids))
        elif self.make_id is not None:
            terms.append(Fitment.make_id == self.make_id)
        if self.year is not None:
            terms += [Fitment.year_from <= self.year, Fitment.year_to >= self.year]
        return and_(*terms)

    def matches(self, model_id: int, make_id: int, year_from: int, year_to: int) -> bool:
        """The same test as :meth:`condition`, on a fitment row already read."""
        if self.model_ids:
            if model_id not in self.model_ids:
                return False
        elif self.make_id is None or make_id != self.make_id:
            return False
        return self.year is None or year_from <= self.year <= year_to

    @property
    def empty(self) -> bool:
        return not self.model_ids and self.make_id is None

    def exact_fit(self) -> ColumnElement | None:
        """0 for a part with a fitment of the named model (in the year, for any engine), else 1."""
        if self.exact_model_id is None:
            return None
        terms = [Fitment.part_id == Part.id, Fitment.model_id == self.exact_model_id, Fitment.engine == ""]
        if self.year is not None:
            terms += [Fitment.year_from <= self.year, Fitment.year_to >= self.year]
        return case((select(Fitment.id).where(*terms).exists(), 0), else_=1)


@dataclass(frozen=True)
class SearchPage:
    """One page of a ranked search: the hits and whether a next page exists."""

    hits: list[PartHit]
    has_more: bool


@dataclass(frozen=True)
class FitmentRow:
    make: str
    model: str
    year_from: int
    year_to: int
    engine: str | None  # None = any engine


@dataclass(frozen=True)
class PartNumberRow:
    number: str
    kind: str  # oem | interchange | supplier | superseded


@dataclass(frozen=True)
class PartDetail:
    """Everything about one part: what a product page or a partner's system shows."""

    part_id: int
    sku: str
    name: str
    category: str
    category_ar: str | None
    brand: str
    part_number: str
    numbers: tuple[PartNumberRow, ...]
    price_aed: Decimal
    stock: int
    condition: str
    fitments: tuple[FitmentRow, ...]
    updated_at: datetime | None


# --------------------------------------------------------------------------- public API
def search_parts(session: Session, query: PartQuery, vocab: Vocabulary | None = None) -> list[PartHit]:
    """Parts for the query, best first; [] when nothing fits (the caller records a lead)."""
    return _search(session, query, vocab, query.limit)


def search_page(session: Session, query: PartQuery, vocab: Vocabulary | None = None) -> SearchPage:
    """The page of ``query.limit`` hits after ``query.offset``, and whether more follow."""
    hits = _search(session, query, vocab, query.limit + 1)
    return SearchPage(hits=hits[: query.limit], has_more=len(hits) > query.limit)


def part_detail(session: Session, sku: str) -> PartDetail | None:
    """The part with this sku (exact, then case-insensitive), with every fitment and number."""
    if not isinstance(sku, str) or not sku.strip():
        return None
    sku = sku.strip()
    stmt = select(Part, Category.name, Category.name_ar).join(Category, Category.id == Part.category_id)
    row = session.execute(stmt.where(Part.sku == sku)).first()
    if row is None:
        row = session.execute(stmt.where(func.upper(Part.sku) == sku.upper()).limit(1)).first()
    if row is None:
        return None
    part, category, category_ar = row
    numbers = session.execute(
        select(PartNumber.number, PartNumber.kind)
        .where(PartNumber.part_id == part.id)
        .order_by(PartNumber.id)
    ).all()
    fits = session.execute(
        select(Make.name, Model.name, Fitment.year_from, Fitment.year_to, Fitment.engine)
        .join(Make, Make.id == Fitment.make_id)
        .join(Model, Model.id == Fitment.model_id)
        .where(Fitment.part_id == part.id)
        .order_by(Make.name, Model.name, Fitment.year_from, Fitment.year_to, Fitment.engine)
    ).all()
    return PartDetail(
        part_id=part.id,
        sku=part.sku,
        name=part.name,
        category=category,
        category_ar=category_ar,
        brand=part.brand,
        part_number=part.part_number,
        numbers=tuple(PartNumberRow(n, k) for n, k in numbers),
        price_aed=Decimal(part.price_aed).quantize(Decimal("0.01")),
        stock=part.stock,
        condition=part.condition,
        fitments=tuple(FitmentRow(mk, md, y0, y1, eng or None) for mk, md, y0, y1, eng in fits),
        updated_at=part.updated_at,
    )


def _search(session: Session, query: PartQuery, vocab: Vocabulary | None, fetch: int) -> list[PartHit]:
    vocab = vocab if vocab is not None else Vocabulary.load(session)
    filters = _filters(query)
    number = query.part_number or _number_in_part_text(query.part, vocab)
    if number:
        hits = _by_number(session, number, fetch, query.offset, filters)
        if hits or not (query.part and query.part_number) or _paged_past(session, number, query, filters):
            return hits
    elif _numberish(query.part) and not vocab.match_part(query.part or "").value:
        hits = _by_number(session, query.part or "", fetch, query.offset, filters)
        if hits or _paged_past(session, query.part or "", query, filters):
            return hits  # "P 83 152", "HU 7019 z": aftermarket numbers typed with spaces
    vehicle = _resolve_vehicle(vocab, query)
    if vehicle is None:
        return []  # a make/model we do not carry: no part can be shown as fitting
    conditions: list[ColumnElement] = []
    exact: ColumnElement | None = None
    words: tuple[str, ...] = ()
    if query.part and query.part.strip():
        match, words = vocab.match_part_words(query.part)
        # An umbrella word ("filter", "brake") searches all its categories; one weak candidate
        # ("door" of "door mirror") or a mere typo suggestion is not trusted: free text instead.
        names = [match.value] if match.value else list(match.candidates)
        if not match.value and (len(names) < 2 or match.score < ACCEPT_SCORE):
            names = []
        cat_ids = [i for i in (vocab.category_id(n) for n in names) if i is not None]
        if cat_ids:
            conditions.append(Part.category_id.in_(cat_ids))
            exact = case((Part.category_id == cat_ids[0], 0), else_=1)
        else:
            text_words = _text_words(query.part)
            if not text_words:
                return []
            conditions += [_name_contains(session, w) for w in text_words]
            words = ()
    elif vehicle.empty:
        return []  # neither part nor vehicle: nothing to search for
    if not vehicle.empty:
        conditions.append(_fits(vehicle, by_category=bool(conditions)))
    fit = vehicle.exact_fit()
    in_stock = case((Part.stock > 0, 0), else_=1)
    order = [term for term in (fit, in_stock, exact, _word_rank(words)) if term is not None]
    return _run(session, [*conditions, *filters], order, fetch, vehicle, query.offset)


def find_by_number(
    session: Session, number: str, limit: int = 10, condition: str | None = None
) -> list[PartHit]:
    """Parts whose own number or OEM/interchange number is ``number`` (prefix for 6+ chars)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be between 1 and {MAX_LIMIT}, got {limit!r}")
    return _by_number(session, number, limit, 0, [Part.condition == condition] if condition else [])


def _by_number(
    session: Session, number: str, limit: int, offset: int, filters: list[ColumnElement]
) -> list[PartHit]:
    if not isinstance(number, str) or not normalize_part_number(number):
        raise SearchError("part number is empty")
    norm = normalize_part_number(number)[:64]
    own = case((Part.part_number_norm == norm, 0), else_=1)
    in_stock = case((Part.stock > 0, 0), else_=1)
    exact_ids = union(
        select(Part.id).where(Part.part_number_norm == norm),
        select(PartNumber.part_id).where(PartNumber.number_norm == norm),
    )
    hits = _run(session, [Part.id.in_(exact_ids), *filters], [own, in_stock], limit, None, offset)
    if hits or len(norm) < MIN_PREFIX or (offset and _any(session, [Part.id.in_(exact_ids), *filters])):
        return hits  # a page past the exact matches stays on them: never switch to prefix mid-way
    prefix_ids = union(
        select(Part.id).where(_prefix(Part.part_number_norm, norm)),
        select(PartNumber.part_id).where(_prefix(PartNumber.number_norm, norm)),
    )
    return _run(session, [Part.id.in_(prefix_ids), *filters], [own, in_stock], limit, None, offset)


def _paged_past(session: Session, number: str, query: PartQuery, filters: list[ColumnElement]) -> bool:
    """A later page of a number search that ran out: stay on the number, never switch to text."""
    return query.offset > 0 and bool(_by_number(session, number, 1, 0, filters))


def _filters(query: PartQuery) -> list[ColumnElement]:
    """The shopper's narrowing choices: condition, in stock, brand."""
    out: list[ColumnElement] = []
    if query.condition:
        out.append(Part.condition == query.condition)
    if query.in_stock:
        out.append(Part.stock > 0)
    if query.brand and query.brand.strip():
        out.append(func.lower(Part.brand) == " ".join(query.brand.split()).lower())
    return out


def _any(session: Session, conditions: list[ColumnElement]) -> bool:
    return session.execute(select(Part.id).where(*conditions).limit(1)).first() is not None


# --------------------------------------------------------------------------- query parts
def _run(
    session: Session,
    conditions: list[ColumnElement],
    order: list[ColumnElement],
    limit: int,
    vehicle: _Vehicle | None,
    offset: int = 0,
) -> list[PartHit]:
    stmt = (
        select(
            Part.id,
            Part.sku,
            Part.name,
            Category.name.label("category"),
            Part.brand,
            Part.part_number,
            Part.price_aed,
            Part.stock,
            Part.condition,
        )
        .join(Category, Category.id == Part.category_id)
        .where(*conditions)
        .order_by(*order, Part.price_aed, Part.id)
        .limit(limit)
        .offset(offset)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    numbers = _oem_numbers(session, ids)
    fitments, matched, makes = _fitment_texts(session, ids, vehicle)
    return [
        PartHit(
            part_id=row.id,
            sku=row.sku,
            name=row.name,
            category=row.category,
            brand=row.brand,
            part_number=row.part_number,
            oem_numbers=numbers.get(row.id, ()),
            price_aed=Decimal(row.price_aed).quantize(Decimal("0.01")),
            stock=row.stock,
            condition=row.condition,
            fitment=fitments.get(row.id, ""),
            fits=matched.get(row.id, ""),
            short_name=_short_name(row.name, makes.get(row.id, set())),
        )
        for row in rows
    ]


# The hits' numbers and fitments: the same two statements for every search, built once, so
# SQLAlchemy neither rebuilds them nor recomputes their cache keys (a third of a search's CPU
# went there); the part ids are an expanding parameter.
_NUMBERS_OF = (
    select(PartNumber.part_id, PartNumber.number)
    .where(PartNumber.part_id.in_(bindparam("ids", expanding=True)))
    .order_by(PartNumber.part_id, PartNumber.id)
)
_FITMENTS_OF = (
    select(
        Fitment.part_id,
        Make.name.label("make"),
        Model.name.label("model"),
        Fitment.year_from,
        Fitment.year_to,
        Fitment.engine,
        Fitment.model_id,
        Fitment.make_id,
    )
    .join(Make, Make.id == Fitment.make_id)
    .join(Model, Model.id == Fitment.model_id)
    .where(Fitment.part_id.in_(bindparam("ids", expanding=True)))
)


def _oem_numbers(session: Session, ids: list[int]) -> dict[int, tuple[str, ...]]:
    out: dict[int, list[str]] = defaultdict(list)
    for part_id, number in session.connection().execute(_NUMBERS_OF, {"ids": ids}).all():
        out[part_id].append(number)
    return {k: tuple(v) for k, v in out.items()}


def _fitment_texts(
    session: Session, ids: list[int], vehicle: _Vehicle | None
) -> tuple[dict[int, str], dict[int, str], dict[int, set[str]]]:
    """Per part: "Toyota Land Cruiser 2008-2021, Lexus LX570 2008-2021 +1 more", the asked vehicle
    first (engines in brackets when the part fits only some engines: "... (1UR-FE/3UR-FE)"); the
    asked vehicle's fitment alone ("Chevrolet Tahoe 2015-2020"); and the makes it fits."""
    asking = vehicle is not None and not vehicle.empty
    ranges: dict[int, dict[tuple[str, str], list]] = defaultdict(dict)
    for part_id, make, model, year_from, year_to, engine, model_id, make_id in (
        session.connection().execute(_FITMENTS_OF, {"ids": ids}).all()
    ):
        asked = 0 if asking and vehicle.matches(model_id, make_id, year_from, year_to) else 1
        entry = ranges[part_id].setdefault((make, model), [asked, [], set()])
        entry[0] = min(entry[0], asked)
        entry[1].append((year_from, year_to))
        entry[2].add(engine or "")
    texts = {part_id: _describe(vehicles) for part_id, vehicles in ranges.items()}
    matched = {
        part_id: _describe({k: v for k, v in vehicles.items() if v[0] == 0}, shown=len(vehicles))
        for part_id, vehicles in ranges.items()
        if any(v[0] == 0 for v in vehicles.values())
    }
    makes = {part_id: {make for make, _ in vehicles} for part_id, vehicles in ranges.items()}
    return texts, matched, makes


def _describe(vehicles: dict[tuple[str, str], list], shown: int = SHOWN_VEHICLES) -> str:
    ordered = sorted(vehicles.items(), key=lambda kv: (kv[1][0], kv[0]))
    texts = [
        f"{make} {model} {_merge_years(spans)}"
        + (f" ({'/'.join(sorted(engines))})" if "" not in engines else "")
        for (make, model), (_, spans, engines) in ordered
    ]
    more = len(texts) - shown
    return ", ".join(texts[:shown]) + (f" +{more} more" if more > 0 else "")


def _short_name(name: str, makes: set[str]) -> str:
    """ "Front Brake Pads - GMC Yukon K2UG 2015-2020" -> "Front Brake Pads": the vehicle written
    into a part's name may not be the customer's, and ``fits`` says which of its cars matched."""
    head, sep, tail = name.partition(" - ")
    if sep and head.strip() and any(make.lower() in tail.lower() for make in makes):
        return head.strip()
    return name


def _merge_years(spans: list[tuple[int, int]]) -> str:
    """Touching or overlapping ranges become one: 2008-2014 + 2015-2021 -> 2008-2021."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in merged)


def _resolve_vehicle(vocab: Vocabulary, query: PartQuery) -> _Vehicle | None:
    """Fitment filter from make/model text; None when a named make/model is not in the catalog."""
    model_ids: list[int] = []
    if query.model and query.model.strip():
        pairs = vocab.resolve_models(query.model, query.make)
        model_ids = [i for i in (vocab.model_id(mk, md) for mk, md in pairs) if i is not None]
        if not model_ids:
            return None
        named = vocab.match_model(query.model, query.make)
        exact = vocab.model_id(named.make or query.make or "", named.value) if named.value else None
        exact = exact if exact in model_ids else (model_ids[0] if len(model_ids) == 1 else None)
        return _Vehicle(model_ids=tuple(model_ids), year=query.year, exact_model_id=exact)
    if query.make and query.make.strip():
        make = vocab.match_make(query.make).value
        make_id = vocab.make_id(make) if make else None
        if make_id is None:
            return None
        # All the make's models: the (model_id, year) index serves it, no scan of fitments.
        ids = tuple(i for i in (vocab.model_id(make, m) for m in vocab.models_for(make)) if i is not None)
        return _Vehicle(model_ids=ids, make_id=make_id, year=query.year)
    return _Vehicle()  # a year alone says nothing about fitment


def _fits(vehicle: _Vehicle, by_category: bool) -> ColumnElement:
    """Fitment filter. After a category/name filter, probe each candidate part (EXISTS on the
    unique (part_id, model_id, years) index); with nothing else to go on, start from the
    vehicle's fitments (IN on the (model_id, years) index)."""
    if by_category:
        return select(Fitment.id).where(Fitment.part_id == Part.id, vehicle.condition()).exists()
    return Part.id.in_(select(Fitment.part_id).where(vehicle.condition()))


def _number_in_part_text(part: str | None, vocab: Vocabulary) -> str | None:
    """Customers paste numbers into the part field: "04465 60320" is not a part name."""
    if not part or not part.strip():
        return None
    return vocab.parse(part).part_number


def _numberish(text: str | None) -> bool:
    """Could the whole text be a part number with spaces in it?"""
    norm = normalize_part_number(text or "")
    return 5 <= len(norm) <= 24 and sum(c.isdigit() for c in norm) >= 3


def _text_words(text: str) -> list[str]:
    """Content words of a free part text for LIKE matching (English names; Arabic is skipped)."""
    return [t for t in tokenize(text) if len(t) >= 2 and t not in STOPWORDS and not has_arabic(t)]


def _word_rank(words: tuple[str, ...]) -> ColumnElement | None:
    """Fewer missing extra words ranks first: "front" prefers "Front Brake Pads - ..."."""
    english = list(dict.fromkeys(_POSITIONS.get(w, w) for w in words if not has_arabic(w) or w in _POSITIONS))
    if not english:
        return None
    lowered = func.lower(Part.name)
    missing = [case((lowered.like(_like(w), escape="\\"), 0), else_=1) for w in english]
    total = missing[0]
    for term in missing[1:]:
        total = total + term
    return total


def _name_contains(session: Session, word: str) -> ColumnElement:
    """Case-insensitive substring test on the part name. SQLite's LIKE already ignores ASCII
    case, and skipping lower() on every row makes the scan markedly cheaper."""
    if session.get_bind().dialect.name == "sqlite":
        return Part.name.like(_like(word), escape="\\")
    return Part.name.ilike(_like(word), escape="\\")


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _prefix(column: ColumnElement, norm: str) -> ColumnElement:
    """Index-friendly prefix test: a range on the normalised (upper-case alphanumeric) key."""
    upper = norm[:-1] + chr(ord(norm[-1]) + 1)
    return and_(column >= norm, column < upper)


__all__ = [
    "FitmentRow",
    "PartDetail",
    "PartHit",
    "PartNumberRow",
    "PartQuery",
    "SearchError",
    "SearchPage",
    "find_by_number",
    "part_detail",
    "search_page",
    "search_parts",
]
