"""Load a validated catalog file into the database: insert, update in place, optionally prune.

Fast by design: existing rows are read once into dicts keyed by sku and
compared in Python; only differences are written, with bulk Core statements
(``executemany`` / psycopg2 ``execute_values``), never per-row ORM. The whole
write is one transaction: a failure anywhere leaves the catalog as it was.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import String, bindparam, delete, func, insert, select, type_coerce, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from catalog.csv_format import CENT, ParsedCatalog, PartRecord, name_key, read_catalog
from catalog.normalize import normalize_part_number
from catalog.schema import Category, Fitment, Make, Model, Part, PartNumber
from catalog.vocabulary import sync_vocabulary
from shopkernel.db import make_session_factory, session_scope

log = logging.getLogger(__name__)

BATCH_SIZE = 5000
DELETE_CHUNK = 500

makes_t = Make.__table__
models_t = Model.__table__
categories_t = Category.__table__
parts_t = Part.__table__
numbers_t = PartNumber.__table__
fitments_t = Fitment.__table__

Progress = Callable[[str, int, int], None]


class CatalogImportError(Exception):
    """The database rejected the import; nothing was changed."""


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    rows_read: int = 0
    rows_rejected: int = 0
    duplicate_rows: int = 0
    parts_inserted: int = 0
    parts_updated: int = 0
    parts_unchanged: int = 0
    parts_pruned: int = 0
    fitments_inserted: int = 0
    fitments_removed: int = 0
    fitments_unchanged: int = 0
    oem_numbers_inserted: int = 0
    oem_numbers_removed: int = 0
    oem_numbers_unchanged: int = 0
    makes_added: int = 0
    models_added: int = 0
    categories_added: int = 0
    dry_run: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportResult:
    summary: ImportSummary
    parsed: ParsedCatalog
    warnings: list[str] = field(default_factory=list)

    @property
    def loaded_anything(self) -> bool:
        return bool(self.parsed.parts)


def import_catalog(
    engine: Engine,
    path: Path | str,
    *,
    mapping: Mapping[str, str] | None = None,
    prune: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, validate and load a catalog CSV. Raises ``CatalogFileError`` / ``CatalogImportError``."""
    started = time.perf_counter()
    parsed = read_catalog(
        path, mapping, progress=(lambda done, total: progress("read", done, total)) if progress else None
    )
    summary = ImportSummary(
        rows_read=parsed.rows_read,
        rows_rejected=len(parsed.rejects),
        duplicate_rows=parsed.duplicate_rows,
        dry_run=dry_run,
    )
    result = ImportResult(summary=summary, parsed=parsed)
    if parsed.parts:
        write_catalog(engine, parsed, summary, prune=prune, dry_run=dry_run, progress=progress)
        if not dry_run:
            result.warnings.extend(_sync_vocabulary(engine))
            _refresh_statistics(engine)
    summary.seconds = round(time.perf_counter() - started, 3)
    return result


def write_catalog(
    engine: Engine,
    parsed: ParsedCatalog,
    summary: ImportSummary,
    *,
    prune: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> None:
    """Apply ``parsed`` in one transaction (rolled back at the end for a dry run)."""
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                _Writer(conn, parsed, summary, progress).run(prune=prune)
            except BaseException:
                transaction.rollback()
                raise
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
    except (DBAPIError, *_dbapi_errors(engine)) as exc:
        raise CatalogImportError(f"the database refused the import, nothing was changed: {exc}") from exc


def _refresh_statistics(engine: Engine) -> None:
    """ANALYZE after a bulk load: without fresh statistics the planner picks slow search plans.
    On PostgreSQL a VACUUM as well: it marks the new rows visible to all, so the search can read
    a vehicle's parts from the fitments index alone (an index-only scan) instead of the table."""
    sqlite = engine.dialect.name == "sqlite"
    statement = "ANALYZE" if sqlite else "VACUUM (ANALYZE) parts, fitments, part_numbers"
    try:  # VACUUM runs outside a transaction
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(statement)
    except DBAPIError as exc:  # the catalog is committed; slower searches are no reason to fail
        log.warning("could not refresh planner statistics: %s", exc)


def _dbapi_errors(engine: Engine) -> tuple[type[Exception], ...]:
    """The driver's own error class: raw psycopg2 cursors raise it unwrapped."""
    dbapi = engine.dialect.dbapi
    return (dbapi.Error,) if dbapi is not None and hasattr(dbapi, "Error") else ()


def _sync_vocabulary(engine: Engine) -> list[str]:
    """Add aliases/synonyms for new makes/models/categories; a failure is a warning, not a rollback."""
    try:
        with session_scope(make_session_factory(engine)) as session:
            sync_vocabulary(session)
    except Exception as exc:  # noqa: BLE001 - the catalog is already committed; report, don't undo
        log.warning("vocabulary sync failed: %s", exc)
        return [f"catalog imported, but refreshing the search vocabulary failed: {exc}"]
    return []


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _canonical(spellings: Counter, key: str) -> str:
    """The most frequent spelling in the file among those with this normalised key."""
    candidates = [(count, -order, name) for order, (name, count) in enumerate(spellings.items())]
    return max(c for c in candidates if name_key(c[2]) == key)[2]


class _Writer:
    """One import's database work; every method runs inside the caller's transaction."""

    def __init__(self, conn: Connection, parsed: ParsedCatalog, summary: ImportSummary, progress) -> None:
        self.conn = conn
        self.parsed = parsed
        self.summary = summary
        self.progress = progress or (lambda stage, done, total: None)
        self.make_ids: dict[str, int] = {}
        self.model_ids: dict[tuple[int, str], int] = {}
        self.category_ids: dict[str, int] = {}
        self.part_ids: dict[str, int] = {}

    def run(self, prune: bool) -> None:
        steps = 5 if prune else 4
        self.progress("write", 0, steps)
        self._vocabulary()
        self.progress("write", 1, steps)
        self._parts()
        self.progress("write", 2, steps)
        self._numbers()
        self.progress("write", 3, steps)
        self._fitments()
        self.progress("write", 4, steps)
        if prune:
            self._prune()
            self.progress("write", 5, steps)

    # ------------------------------------------------------------------ makes, models, categories
    def _vocabulary(self) -> None:
        spellings = self.parsed.spellings
        self.category_ids = self._ensure_names(
            categories_t, {name_key(c) for c in spellings["category"]}, spellings["category"]
        )
        self.summary.categories_added = self._added
        self.make_ids = self._ensure_names(
            makes_t, {name_key(m) for m in spellings["make"]}, spellings["make"]
        )
        self.summary.makes_added = self._added
        self._ensure_models()

    def _ensure_names(self, table, wanted: set[str], spellings: Counter) -> dict[str, int]:
        existing = {name_key(n): i for i, n in self.conn.execute(select(table.c.id, table.c.name))}
        missing = sorted(wanted - existing.keys())
        self._added = len(missing)
        if missing:
            self.conn.execute(insert(table), [{"name": _canonical(spellings, key)} for key in missing])
            existing = {name_key(n): i for i, n in self.conn.execute(select(table.c.id, table.c.name))}
        return existing

    def _ensure_models(self) -> None:
        wanted: dict[tuple[int, str], str] = {}
        model_spellings = self.parsed.spellings["model"]
        for record in self.parsed.parts.values():
            for fitment in record.fitments.values():
                key = (self.make_ids[name_key(fitment.make)], name_key(fitment.model))
                wanted.setdefault(key, fitment.model)
        existing = self._load_models()
        missing = [k for k in wanted if k not in existing]
        if missing:
            rows = [{"make_id": k[0], "name": _canonical(model_spellings, k[1])} for k in sorted(missing)]
            self.conn.execute(insert(models_t), rows)
            existing = self._load_models()
        self.summary.models_added = len(missing)
        self.model_ids = existing

    def _load_models(self) -> dict[tuple[int, str], int]:
        rows = self.conn.execute(select(models_t.c.id, models_t.c.make_id, models_t.c.name))
        return {(make_id, name_key(name)): id_ for id_, make_id, name in rows}

    # ------------------------------------------------------------------ parts
    def _part_row(self, record: PartRecord) -> dict:
        v = record.values
        return {
            "sku": record.sku,
            "name": v.name,
            "category_id": self.category_ids[name_key(v.category)],
            "brand": v.brand,
            "part_number": v.part_number,
            "part_number_norm": normalize_part_number(v.part_number),
            "price_aed": v.price_aed,
            "stock": v.stock,
            "condition": v.condition,
        }

    def _load_parts(self) -> dict[str, dict]:
        # Read the price as the driver gives it: SQLite has no decimal type (compared as text below).
        cols = [type_coerce(parts_t.c[n], String) if n == "price_aed" else parts_t.c[n] for n in _PART_FIELDS]
        rows = self.conn.execute(select(parts_t.c.id, *cols)).mappings()
        return {row["sku"]: dict(row) for row in rows}

    def _parts(self) -> None:
        existing = self._load_parts()
        self.part_ids = {sku: row["id"] for sku, row in existing.items()}
        inserts, updates = [], []
        for sku, record in self.parsed.parts.items():
            wanted = self._part_row(record)
            current = existing.get(sku)
            if current is None:
                inserts.append(wanted)
            elif _differs(current, wanted):
                updates.append({**wanted, "id": current["id"]})
        for batch in _chunks(inserts, BATCH_SIZE):
            _insert_rows(self.conn, parts_t, batch)
        self._update_parts(updates)
        if inserts:
            new = {row["sku"] for row in inserts}
            for sku, id_ in self.conn.execute(select(parts_t.c.sku, parts_t.c.id)):
                if sku in new:
                    self.part_ids[sku] = id_
        self.summary.parts_inserted = len(inserts)
        self.summary.parts_updated = len(updates)
        self.summary.parts_unchanged = len(self.parsed.parts) - len(inserts) - len(updates)

    def _update_parts(self, updates: list[dict]) -> None:
        if not updates:
            return
        if _is_psycopg2(self.conn):
            _update_parts_postgres(self.conn, updates)
            return
        stmt = (
            update(parts_t)
            .where(parts_t.c.id == bindparam("b_id"))
            .values(
                {
                    **{name: bindparam(f"b_{name}") for name in _PART_FIELDS if name != "sku"},
                    "updated_at": func.now(),
                }
            )
        )
        for batch in _chunks(updates, BATCH_SIZE):
            self.conn.execute(stmt, [{f"b_{k}": v for k, v in row.items()} for row in batch])

    # ------------------------------------------------------------------ OEM numbers
    def _numbers(self) -> None:
        wanted_ids = {self.part_ids[sku] for sku in self.parsed.parts}
        existing: dict[int, dict[str, tuple[int, str]]] = {}
        query = select(numbers_t.c.id, numbers_t.c.part_id, numbers_t.c.number_norm, numbers_t.c.kind)
        for id_, part_id, norm, kind in self.conn.execute(query):
            if part_id in wanted_ids:
                existing.setdefault(part_id, {})[norm] = (id_, kind)
        inserts, removals, unchanged = [], [], 0
        for sku, record in self.parsed.parts.items():
            part_id = self.part_ids[sku]
            current = existing.get(part_id, {})
            for norm, number in record.oem_numbers.items():
                if norm in current:
                    unchanged += 1
                else:
                    inserts.append({"part_id": part_id, "number": number, "number_norm": norm, "kind": "oem"})
            if sku in self.parsed.rejected_skus:
                continue  # some of its rows were rejected: never drop what they may have listed
            removals += [
                id_
                for norm, (id_, kind) in current.items()
                if kind == "oem" and norm not in record.oem_numbers
            ]
        for batch in _chunks(inserts, BATCH_SIZE):
            _insert_rows(self.conn, numbers_t, batch)
        self._delete_ids(numbers_t, removals)
        self.summary.oem_numbers_inserted = len(inserts)
        self.summary.oem_numbers_removed = len(removals)
        self.summary.oem_numbers_unchanged = unchanged

    # ------------------------------------------------------------------ fitments
    def _fitments(self) -> None:
        wanted_ids = {self.part_ids[sku] for sku in self.parsed.parts}
        existing: dict[int, dict[tuple, int]] = {}
        query = select(
            fitments_t.c.id,
            fitments_t.c.part_id,
            fitments_t.c.model_id,
            fitments_t.c.year_from,
            fitments_t.c.year_to,
            fitments_t.c.engine,
        )
        for id_, part_id, model_id, year_from, year_to, engine in self.conn.execute(query):
            if part_id in wanted_ids:
                existing.setdefault(part_id, {})[(model_id, year_from, year_to, engine)] = id_
        inserts, removals, unchanged = [], [], 0
        for sku, record in self.parsed.parts.items():
            part_id = self.part_ids[sku]
            current = existing.get(part_id, {})
            wanted: dict[tuple, int] = {}
            for f in record.fitments.values():
                make_id = self.make_ids[name_key(f.make)]
                model_id = self.model_ids[(make_id, name_key(f.model))]
                key = (model_id, f.year_from, f.year_to, f.engine)
                if key in wanted:
                    continue
                wanted[key] = make_id
                if key in current:
                    unchanged += 1
                else:
                    inserts.append(
                        {
                            "part_id": part_id,
                            "make_id": make_id,
                            "model_id": model_id,
                            "year_from": f.year_from,
                            "year_to": f.year_to,
                            "engine": f.engine,
                        }
                    )
            if sku not in self.parsed.rejected_skus:
                removals += [id_ for key, id_ in current.items() if key not in wanted]
        self._delete_ids(fitments_t, removals)
        for batch in _chunks(inserts, BATCH_SIZE):
            _insert_rows(self.conn, fitments_t, batch)
        self.summary.fitments_inserted = len(inserts)
        self.summary.fitments_removed = len(removals)
        self.summary.fitments_unchanged = unchanged

    # ------------------------------------------------------------------ prune
    def _prune(self) -> None:
        keep = self.parsed.parts.keys() | self.parsed.rejected_skus
        doomed = [
            id_ for sku, id_ in self.conn.execute(select(parts_t.c.sku, parts_t.c.id)) if sku not in keep
        ]
        for chunk in _chunks(doomed, DELETE_CHUNK):
            self.conn.execute(delete(fitments_t).where(fitments_t.c.part_id.in_(chunk)))
            self.conn.execute(delete(numbers_t).where(numbers_t.c.part_id.in_(chunk)))
        self._delete_ids(parts_t, doomed)
        self.summary.parts_pruned = len(doomed)

    def _delete_ids(self, table, ids: list[int]) -> None:
        for chunk in _chunks(ids, DELETE_CHUNK):
            self.conn.execute(delete(table).where(table.c.id.in_(chunk)))


_PART_FIELDS = (
    "sku",
    "name",
    "category_id",
    "brand",
    "part_number",
    "part_number_norm",
    "price_aed",
    "stock",
    "condition",
)


def _differs(current: Mapping, wanted: Mapping) -> bool:
    for name in _PART_FIELDS:
        a, b = current[name], wanted[name]
        if name == "price_aed":
            a, b = Decimal(str(a)).quantize(CENT), Decimal(b).quantize(CENT)
        if a != b:
            return True
    return False


def _is_psycopg2(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg2"


def _insert_rows(conn: Connection, table, rows: Sequence[dict]) -> None:
    """Insert one batch: ``COPY`` on PostgreSQL (fastest path in), ``executemany`` elsewhere."""
    if not rows:
        return
    if not _is_psycopg2(conn):
        conn.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    buffer = io.StringIO()
    # QUOTE_ALL: an empty engine must arrive as '' (an unquoted empty CSV field is NULL to COPY).
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        [row[c] for c in columns] for row in rows
    )
    buffer.seek(0)
    cursor = conn.connection.cursor()
    try:
        cursor.copy_expert(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)
    finally:
        cursor.close()


def _update_parts_postgres(conn: Connection, updates: list[dict]) -> None:
    """One ``UPDATE … FROM (VALUES …)`` per page instead of one round trip per row."""
    from psycopg2.extras import execute_values

    columns = [name for name in _PART_FIELDS if name != "sku"]
    sql = (
        "UPDATE parts SET "
        + ", ".join(f"{c} = v.{c}" for c in columns)
        + ", updated_at = now() FROM (VALUES %s) AS v(id, "
        + ", ".join(columns)
        + ") WHERE parts.id = v.id"
    )
    template = "(%s::integer, %s, %s::integer, %s, %s, %s, %s::numeric, %s::integer, %s)"
    values = [tuple(row[c] for c in ("id", *columns)) for row in updates]
    cursor = conn.connection.cursor()
    try:
        execute_values(cursor, sql, values, template=template, page_size=1000)
    finally:
        cursor.close()
