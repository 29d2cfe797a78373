"""The catalog CSV format: reading a shop export and validating every row.

One row per part fitment; rows sharing a ``sku`` describe one part that fits
several vehicles. Reading never touches the database: it turns a file into
:class:`ParsedCatalog` (good parts, grouped by sku) plus :class:`Reject` rows
(physical line number and a human-readable reason), so every good row can load
while every bad one is reported. See docs/catalog-loader.md for the rules.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from catalog.normalize import normalize_part_number, normalize_text
from catalog.schema import CONDITIONS
from shopkernel.numerals import MIN_YEAR
from shopkernel.numerals import max_year as latest_model_year

STANDARD_COLUMNS = (
    "sku",
    "name",
    "category",
    "brand",
    "part_number",
    "oem_numbers",
    "make",
    "model",
    "year_from",
    "year_to",
    "engine",
    "price_aed",
    "stock",
    "condition",
)
#: Field names a column may be mapped to: the standard columns plus ``years`` ("2008-2015").
FIELDS = (*STANDARD_COLUMNS, "years")
REQUIRED_FIELDS = ("sku", "name", "category", "brand", "make", "model", "price_aed", "condition")

#: Header spellings accepted without a mapping (compared after lower-casing and
#: turning spaces/dashes into underscores). Only unambiguous ones.
HEADER_ALIASES = {
    "price": "price_aed",
    "price_(aed)": "price_aed",
    "qty": "stock",
    "quantity": "stock",
    "stock_qty": "stock",
    "oem": "oem_numbers",
    "oem_number": "oem_numbers",
    "oe_numbers": "oem_numbers",
    "part_no": "part_number",
    "year": "years",
}

CONDITION_ALIASES = {
    "genuine": "genuine",
    "وكالة": "genuine",
    "وكاله": "genuine",
    "oem": "oem",
    "o.e.m": "oem",
    "o.e.m.": "oem",
    "oe": "oem",
    "aftermarket": "aftermarket",
    "after market": "aftermarket",
    "after-market": "aftermarket",
    "تجاري": "aftermarket",
    "used": "used",
    "second hand": "used",
    "second-hand": "used",
    "secondhand": "used",
    "مستعمل": "used",
}
assert set(CONDITION_ALIASES.values()) == set(CONDITIONS)

MAX_LENGTHS = {
    "sku": 64,
    "name": 255,
    "category": 64,
    "brand": 64,
    "part_number": 64,
    "make": 64,
    "model": 64,
    "engine": 64,
}
OEM_SEPARATOR = "|"
CENT = Decimal("0.01")

_SPACES = re.compile(r"\s+")
_CURRENCY = re.compile(r"^(?:aed|dhs?|dh|د\.?إ\.?|درهم)\s*|\s*(?:aed|dhs?|dh|د\.?إ\.?|درهم)$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0+)?$")
_YEARS_RANGE = re.compile(r"^(\d{4})\s*(?:-|–|—|to|/)\s*(\d{4}|present|now|on|\+)?$", re.IGNORECASE)
_OPEN_RANGE = re.compile(r"^(\d{4})\s*\+$")
_INTEGER = re.compile(r"^[+-]?\d+(?:\.0+)?$")


#: Names repeat on most rows (makes, models, categories): cache their search keys.
name_key = lru_cache(maxsize=1 << 16)(normalize_text)


class CatalogFileError(Exception):
    """The file cannot be read as a catalog at all (missing, not text, no usable header)."""


class MappingError(ValueError):
    """A column mapping names an unknown field or is badly written."""


@dataclass(frozen=True)
class PartValues:
    """What a part is, independent of the vehicles it fits."""

    name: str
    category: str
    brand: str
    part_number: str
    price_aed: Decimal
    stock: int
    condition: str


@dataclass(frozen=True)
class FitmentValues:
    make: str
    model: str
    year_from: int
    year_to: int
    engine: str  # "" = any engine


@dataclass
class PartRecord:
    """One sku with everything the file says about it."""

    sku: str
    values: PartValues
    line: int  # first line that defined the part
    oem_numbers: dict[str, str] = field(default_factory=dict)  # norm -> number as written
    fitments: dict[tuple, FitmentValues] = field(default_factory=dict)


@dataclass(frozen=True)
class Reject:
    """A row that was not loaded, with the raw values as they were in the file."""

    line: int
    reason: str
    values: tuple[str, ...]


@dataclass
class ParsedCatalog:
    """The whole file after validation."""

    path: Path
    columns: list[str]  # header exactly as in the file
    delimiter: str
    parts: dict[str, PartRecord]
    rejects: list[Reject]
    rows_read: int
    duplicate_rows: int
    rejected_skus: set[str]  # skus seen on rejected rows (protected from pruning/removal)
    ignored_columns: list[str]
    spellings: dict[str, Counter]  # "make"/"model"/"category" -> Counter of names as written

    @property
    def fitment_count(self) -> int:
        return sum(len(p.fitments) for p in self.parts.values())


# --------------------------------------------------------------------------- mapping
def parse_mapping(text: str) -> dict[str, str]:
    """``"Item Code=sku, Description=name"`` → ``{"Item Code": "sku", "Description": "name"}``."""
    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in (text or "").split(","))):
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise MappingError(f"mapping entry {pair!r} is not of the form 'Column In File=field'")
        mapping[source.strip()] = target.strip()
    return check_mapping(mapping)


def load_mapping_file(path: Path) -> dict[str, str]:
    """Read a YAML file of ``Column In File: field`` pairs."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MappingError(f"cannot read mapping file {path}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not data:
        raise MappingError(f"mapping file {path} must be a YAML mapping of 'Column In File: field'")
    return check_mapping({str(k).strip(): str(v).strip() for k, v in data.items()})


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    """Reject targets that are not catalog fields, and two columns mapped to one field."""
    checked: dict[str, str] = {}
    for source, target in mapping.items():
        field_name = _header_key(target)
        if field_name not in FIELDS:
            raise MappingError(f"unknown field {target!r} for column {source!r}; fields: {', '.join(FIELDS)}")
        checked[source] = field_name
    doubled = [f for f, n in Counter(checked.values()).items() if n > 1]
    if doubled:
        raise MappingError(f"several columns are mapped to {', '.join(doubled)}")
    return checked


def _header_key(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", (name or "").strip().lower())
    return HEADER_ALIASES.get(key, key)


def resolve_columns(header: list[str], mapping: Mapping[str, str] | None) -> tuple[dict[str, int], list[str]]:
    """Field name → column index, and the header columns that are ignored."""
    mapping = dict(mapping or {})
    by_key = {h.strip().casefold(): i for i, h in enumerate(header)}
    fields: dict[str, int] = {}
    for source, target in mapping.items():
        index = by_key.get(source.strip().casefold())
        if index is None:
            raise CatalogFileError(
                f"column {source!r} named in the mapping is not in the file; "
                f"columns found: {', '.join(header)}"
            )
        fields[target] = index
    mapped = set(fields.values())
    ignored: list[str] = []
    for index, name in enumerate(header):
        if index in mapped:
            continue
        key = _header_key(name)
        if key in FIELDS and key not in fields:
            fields[key] = index
        elif name.strip():
            ignored.append(name)
    if "years" in fields and ("year_from" in fields or "year_to" in fields):
        del fields["years"]  # explicit columns win over a combined one
    missing = [f for f in REQUIRED_FIELDS if f not in fields]
    if "years" not in fields and not {"year_from", "year_to"} <= fields.keys():
        missing.append("year_from/year_to (or years)")
    if missing:
        raise CatalogFileError(
            f"missing required column(s): {', '.join(missing)}; columns found: {', '.join(header)}. "
            "Rename them or map them with --map 'Column In File=field'."
        )
    return fields, ignored


# --------------------------------------------------------------------------- reading
def read_catalog(
    path: Path | str,
    mapping: Mapping[str, str] | None = None,
    *,
    max_year: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedCatalog:
    """Read and validate a catalog CSV. Raises :class:`CatalogFileError` if it is unreadable."""
    path = Path(path)
    max_year = max_year or latest_model_year()
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise CatalogFileError(f"cannot open {path}: {exc.strerror or exc}") from exc
    with raw:
        if raw.read(4) == b"PK\x03\x04":
            raise CatalogFileError(
                f"{path} is an Excel workbook, not a CSV: save it as 'CSV UTF-8' and retry"
            )
        raw.seek(0)
        total = path.stat().st_size
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            return _parse(
                path, text, mapping, max_year, lambda: progress(raw.tell(), total) if progress else None
            )
        except UnicodeDecodeError as exc:
            raise CatalogFileError(
                f"{path} is not UTF-8 text ({exc.reason} near byte {exc.start}); "
                "export it as 'CSV UTF-8' from Excel or convert it"
            ) from exc
        except csv.Error as exc:
            raise CatalogFileError(f"{path} is not a readable CSV file: {exc}") from exc


def _parse(path, text, mapping, max_year, tick) -> ParsedCatalog:
    lines = _LineCounter(text)
    delimiter, header = _read_header(lines)
    fields, ignored = resolve_columns(header, mapping)
    reader = csv.reader(lines, delimiter=delimiter)
    validator = _RowValidator(fields, len(header), max_year)
    parsed = ParsedCatalog(
        path=path,
        columns=header,
        delimiter=delimiter,
        parts={},
        rejects=[],
        rows_read=0,
        duplicate_rows=0,
        rejected_skus=set(),
        ignored_columns=ignored,
        spellings={"make": Counter(), "model": Counter(), "category": Counter()},
    )
    for line, row in _records(reader, lines):
        if not any(cell.strip() for cell in row):
            continue  # blank line
        parsed.rows_read += 1
        if parsed.rows_read % 2000 == 0:
            tick()
        _accept(parsed, validator, line, row)
    tick()
    return parsed


class _LineCounter:
    """Iterates physical lines and counts them, so records know where they start."""

    def __init__(self, text) -> None:
        self._text = text
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self.count += 1
        return line


def _records(reader, lines: _LineCounter) -> Iterator[tuple[int, list[str]]]:
    start = lines.count + 1
    for row in reader:
        yield start, row
        start = lines.count + 1


def _read_header(lines: _LineCounter) -> tuple[str, list[str]]:
    for first in lines:
        if first.strip():
            break
    else:
        raise CatalogFileError(
            "the file is empty: expected a header line such as " + ",".join(STANDARD_COLUMNS)
        )
    stripped = first.strip()
    if re.fullmatch(r"sep=.", stripped, re.IGNORECASE):  # Excel's delimiter hint line
        delimiter = stripped[-1]
        first = next(lines, "")
    else:
        counts = {d: stripped.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header = next(csv.reader([first], delimiter=delimiter), [])
    header = [h.strip() for h in header]
    while header and not header[-1]:
        header.pop()  # trailing delimiters
    names = [h.casefold() for h in header if h]
    doubled = sorted({h for h in names if names.count(h) > 1})
    if doubled:
        raise CatalogFileError(f"the header repeats column(s): {', '.join(doubled)}")
    return delimiter, header


def _accept(parsed: ParsedCatalog, validator: _RowValidator, line: int, row: list[str]) -> None:
    """Validate one row and merge it into the parsed catalog, or record why not."""
    try:
        sku, values, numbers, fitments = validator.validate(row)
    except RowError as exc:
        _reject(parsed, validator, line, row, str(exc))
        return
    record = parsed.parts.get(sku)
    if record is None:
        record = parsed.parts[sku] = PartRecord(sku=sku, values=values, line=line)
        parsed.spellings["category"][values.category] += 1
    else:
        conflict = _conflict(record, values)
        if conflict:
            _reject(parsed, validator, line, row, conflict)
            return
    new_fitments = [f for f in fitments if _fitment_key(f) not in record.fitments]
    new_numbers = [n for n in numbers if n[0] not in record.oem_numbers]
    if not new_fitments and not new_numbers:
        parsed.duplicate_rows += 1
        return
    for fitment in new_fitments:
        record.fitments[_fitment_key(fitment)] = fitment
        parsed.spellings["make"][fitment.make] += 1
        parsed.spellings["model"][fitment.model] += 1
    record.oem_numbers.update(new_numbers)


def _reject(parsed: ParsedCatalog, validator: _RowValidator, line: int, row: list[str], reason: str) -> None:
    parsed.rejects.append(Reject(line=line, reason=reason, values=tuple(row)))
    sku = validator.raw(row, "sku")
    if sku:
        parsed.rejected_skus.add(sku)


def _fitment_key(f: FitmentValues) -> tuple:
    return (name_key(f.make), name_key(f.model), f.year_from, f.year_to, f.engine.casefold())


_COMPARED = (
    ("name", "name", str.casefold),
    ("brand", "brand", str.casefold),
    ("category", "category", name_key),
    ("part_number", "part number", normalize_part_number),
    ("price_aed", "price", lambda v: v),
    ("stock", "stock", lambda v: v),
    ("condition", "condition", lambda v: v),
)


def _conflict(record: PartRecord, values: PartValues) -> str:
    """Why this row cannot belong to the part already defined for its sku ("" if it can)."""
    if record.values == values:
        return ""
    for attr, label, key in _COMPARED:
        first, this = getattr(record.values, attr), getattr(values, attr)
        if key(first) != key(this):
            return f"sku {record.sku} has {label} {this} here but {first} on line {record.line}"
    return ""


# --------------------------------------------------------------------------- validation
class RowError(ValueError):
    """One row is invalid; the message is shown to staff as the reject reason."""


class _RowValidator:
    """Turns a raw CSV row into typed values, or raises :class:`RowError` with a reason."""

    def __init__(self, fields: dict[str, int], width: int, max_year: int) -> None:
        self.fields = fields
        self.width = width
        self.max_year = max_year

    def raw(self, row: list[str], name: str) -> str:
        """One field, trimmed, inner whitespace collapsed ("" when the column is absent)."""
        index = self.fields.get(name)
        return _clean(row[index]) if index is not None and index < len(row) else ""

    def validate(self, row: list[str]) -> tuple[str, PartValues, list[tuple[str, str]], list[FitmentValues]]:
        self._check_width(row)
        v = {name: _clean(row[index]) for name, index in self.fields.items()}
        missing = [f for f in ("sku", "name", "category", "brand", "make", "model") if not v[f]]
        if missing:
            raise RowError(f"missing {', '.join(missing)}")
        for name, limit in MAX_LENGTHS.items():
            if len(v.get(name, "")) > limit:
                raise RowError(f"{name} is longer than {limit} characters")
        year_from, year_to = self._years(v)
        values = PartValues(
            name=v["name"],
            category=v["category"],
            brand=v["brand"],
            part_number=v.get("part_number", ""),
            price_aed=parse_price(v["price_aed"]),
            stock=parse_stock(v.get("stock", "")),
            condition=parse_condition(v["condition"]),
        )
        fitments = [
            FitmentValues(v["make"], v["model"], year_from, year_to, engine)
            for engine in _engines(v.get("engine", ""))
        ]
        return v["sku"], values, _oem_numbers(v.get("oem_numbers", "")), fitments

    def _check_width(self, row: list[str]) -> None:
        if len(row) < self.width:
            raise RowError(f"wrong number of columns: expected {self.width}, found {len(row)}")
        if len(row) > self.width and any(cell.strip() for cell in row[self.width :]):
            raise RowError(
                f"wrong number of columns: expected {self.width}, found {len(row)} "
                "(an unquoted comma inside a value?)"
            )

    def _years(self, v: dict[str, str]) -> tuple[int, int]:
        if "years" in v:
            year_from, year_to = parse_years(v["years"], self.max_year)
        else:
            year_from = parse_year(v["year_from"], "year_from")
            year_to = parse_year(v["year_to"], "year_to")
        for label, year in (("year_from", year_from), ("year_to", year_to)):
            if not MIN_YEAR <= year <= self.max_year:
                raise RowError(f"{label} {year} is outside {MIN_YEAR}..{self.max_year}")
        if year_from > year_to:
            raise RowError(f"year_from {year_from} is after year_to {year_to}")
        return year_from, year_to


def _clean(value: str) -> str:
    value = value.strip()
    if "  " in value or "\t" in value or "\n" in value or "\r" in value or "\xa0" in value:
        value = _SPACES.sub(" ", value)
    return value


def _engines(text: str) -> list[str]:
    """``"1UR-FE|3UR-FE"`` → two fitments; empty → one fitment for any engine ("")."""
    engines = list(dict.fromkeys(e.strip() for e in text.split(OEM_SEPARATOR) if e.strip())) or [""]
    for engine in engines:
        if len(engine) > MAX_LENGTHS["engine"]:
            raise RowError(f"engine is longer than {MAX_LENGTHS['engine']} characters")
    return engines


def _oem_numbers(text: str) -> list[tuple[str, str]]:
    """``"04465-60320|04465 60280"`` → [(norm, as written), …] without repeats."""
    numbers: dict[str, str] = {}
    for number in (n.strip() for n in text.split(OEM_SEPARATOR)):
        norm = normalize_part_number(number)
        if not norm:
            continue
        if len(number) > 64:
            raise RowError(f"OEM number {number[:20]}… is longer than 64 characters")
        numbers.setdefault(norm, number)
    return list(numbers.items())


def parse_price(text: str) -> Decimal:
    """``"1,250.00"``, ``"AED 350"``, ``"350 dhs"`` → Decimal; at most two decimals."""
    if not text:
        raise RowError("missing price_aed")
    cleaned = _CURRENCY.sub("", text.strip()).strip()
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(f"price_aed {text!r} is not a number") from None
    if not price.is_finite():
        raise RowError(f"price_aed {text!r} is not a number")
    if price < 0:
        raise RowError(f"price_aed {text} is negative")
    if price != price.quantize(CENT):
        raise RowError(f"price_aed {text} has more than two decimals")
    if price >= Decimal("1e10"):
        raise RowError(f"price_aed {text} is too large")
    return price.quantize(CENT)


def parse_stock(text: str) -> int:
    """Empty stock means none in stock (0)."""
    if not text:
        return 0
    cleaned = text.replace(",", "") if _THOUSANDS.match(text) else text
    if not _INTEGER.match(cleaned):
        raise RowError(f"stock {text!r} is not a whole number")
    stock = int(Decimal(cleaned))
    if stock < 0:
        raise RowError(f"stock {text} is negative")
    if stock > 2_000_000_000:
        raise RowError(f"stock {text} is too large")
    return stock


def parse_condition(text: str) -> str:
    if not text:
        raise RowError(f"missing condition (one of {', '.join(CONDITIONS)})")
    condition = CONDITION_ALIASES.get(text.strip().casefold())
    if condition is None:
        raise RowError(f"unknown condition {text!r} (expected one of {', '.join(CONDITIONS)})")
    return condition


def parse_year(text: str, label: str) -> int:
    if not text:
        raise RowError(f"missing {label}")
    match = _YEAR.match(text)
    if not match:
        raise RowError(f"{label} {text!r} is not a year")
    return int(match.group(1))


def parse_years(text: str, max_year: int) -> tuple[int, int]:
    """``"2008-2015"``, ``"2008 – 2015"``, ``"2015"``, ``"2022+"``/``"2022-present"`` (to ``max_year``)."""
    if not text:
        raise RowError("missing years")
    single = _YEAR.match(text)
    if single:
        year = int(single.group(1))
        return year, year
    match = _OPEN_RANGE.match(text) or _YEARS_RANGE.match(text)
    if not match:
        raise RowError(f"years {text!r} is not a range like 2008-2015")
    end = match.group(2) if match.re is _YEARS_RANGE else "+"
    year_to = int(end) if end and end.isdigit() else max_year
    return int(match.group(1)), year_to
