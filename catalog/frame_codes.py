"""Japanese frame-number prefixes (``GRJ200``) → make, model, engine and production years.

A Japanese frame number is ``<model code>-<serial>``; the make is not written in it
but follows from the model code. The table lives in ``catalog/vocabulary/frame_codes.csv``
(staff add rows there, or straight into the ``frame_codes`` database table, which
overrides the CSV row for the same prefix). Rows marked "verify"/"uncertain" in the
``note`` column are hints the shop has not confirmed yet.

Command line (staff)::

    python -m catalog.frame_codes check [CSV]     # validate a CSV, print problems with line numbers
    python -m catalog.frame_codes load [CSV]      # upsert the CSV into the frame_codes table
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.schema import FrameCode as FrameCodeRow
from catalog.wmi import canonical_make

DEFAULT_CSV = Path(__file__).resolve().parent / "vocabulary" / "frame_codes.csv"
COLUMNS = ("prefix", "make", "model", "engine", "year_from", "year_to", "note")
PREFIX_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
_YEAR_RANGE = (1950, 2100)


class FrameCodeError(ValueError):
    """A frame-code row or file that cannot be used; the message names the line."""


@dataclass(frozen=True)
class FrameCode:
    prefix: str
    make: str
    model: str | None = None
    engine: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    note: str | None = None

    @property
    def uncertain(self) -> bool:
        """True when staff flagged the row as not yet confirmed."""
        note = (self.note or "").lower()
        return "verify" in note or "uncertain" in note

    def years(self, until: int) -> tuple[int, ...]:
        """Production years, newest first; open-ended rows run to ``until``."""
        if self.year_from is None:
            return ()
        last = self.year_to if self.year_to is not None else until
        return tuple(range(last, self.year_from - 1, -1))


class FrameCodeTable:
    """Prefix lookup: exact model code first, then the longest known prefix of it."""

    def __init__(self, codes: Iterable[FrameCode] = ()):
        self._codes: dict[str, FrameCode] = {c.prefix: c for c in codes}

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[FrameCode]:
        return iter(sorted(self._codes.values(), key=lambda c: c.prefix))

    def get(self, prefix: str) -> FrameCode | None:
        return self._codes.get(prefix.upper())

    def match(self, model_code: str) -> FrameCode | None:
        """``GRJ200`` → its row; ``URJ202W`` (a suffixed code) → the ``URJ202`` row."""
        code = model_code.upper()
        if code in self._codes:
            return self._codes[code]
        for end in range(len(code) - 1, 2, -1):
            if code[:end] in self._codes:
                return self._codes[code[:end]]
        return None

    def split_dashless(self, text: str) -> tuple[str, str] | None:
        """``GRJ2001234567`` → (``GRJ200``, ``1234567``) when a known code starts it.

        Without the dash only known codes are trusted: an unknown letters+digits run
        is as likely a part number (``MR955077``) as a frame number.
        """
        text = text.upper()
        for end in range(min(len(text) - 5, 8), 1, -1):
            code, serial = text[:end], text[end:]
            if code in self._codes and serial.isdigit() and 5 <= len(serial) <= 8:
                return code, serial
        return None

    def updated(self, codes: Iterable[FrameCode]) -> FrameCodeTable:
        """A new table where ``codes`` replace rows with the same prefix."""
        merged = dict(self._codes)
        merged.update({c.prefix: c for c in codes})
        return FrameCodeTable(merged.values())


# --------------------------------------------------------------------------- CSV
def parse_row(row: dict[str, str], line: int) -> FrameCode:
    """Validate one CSV row; raise :class:`FrameCodeError` naming the line and the field."""
    prefix = (row.get("prefix") or "").strip().upper()
    if not PREFIX_RE.match(prefix):
        raise FrameCodeError(f"line {line}: prefix {prefix!r} must be a letter then 1-7 letters/digits")
    make_raw = (row.get("make") or "").strip()
    if not make_raw:
        raise FrameCodeError(f"line {line}: make is empty for {prefix}")
    years = [_parse_year(row.get(col), col, line) for col in ("year_from", "year_to")]
    if years[0] is not None and years[1] is not None and years[0] > years[1]:
        raise FrameCodeError(f"line {line}: year_from {years[0]} is after year_to {years[1]}")
    return FrameCode(
        prefix=prefix,
        make=canonical_make(make_raw) or make_raw,
        model=(row.get("model") or "").strip() or None,
        engine=(row.get("engine") or "").strip() or None,
        year_from=years[0],
        year_to=years[1],
        note=(row.get("note") or "").strip() or None,
    )


def _parse_year(value: str | None, column: str, line: int) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or not _YEAR_RANGE[0] <= int(value) <= _YEAR_RANGE[1]:
        raise FrameCodeError(f"line {line}: {column} {value!r} is not a year")
    return int(value)


def read_csv(path: Path | str = DEFAULT_CSV) -> list[FrameCode]:
    """All rows of a frame-code CSV; the first problem found raises with its line number."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("prefix", "make") if c not in (reader.fieldnames or [])]
        if missing:
            raise FrameCodeError(f"{path.name}: missing column(s) {', '.join(missing)}")
        codes: dict[str, FrameCode] = {}
        for line, row in enumerate(reader, start=2):
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            code = parse_row(row, line)
            if code.prefix in codes:
                raise FrameCodeError(f"line {line}: prefix {code.prefix} appears twice")
            codes[code.prefix] = code
    return list(codes.values())


@lru_cache(maxsize=1)
def default_table() -> FrameCodeTable:
    """The shipped CSV, read once on first use (not at import)."""
    return FrameCodeTable(read_csv(DEFAULT_CSV))


# --------------------------------------------------------------------------- database
def save_to_db(session: Session, codes: Iterable[FrameCode]) -> int:
    """Upsert rows into ``frame_codes``; returns how many rows were written."""
    count = 0
    for code in codes:
        row = session.get(FrameCodeRow, code.prefix) or FrameCodeRow(prefix=code.prefix)
        row.make, row.model, row.engine = code.make, code.model, code.engine
        row.year_from, row.year_to, row.note = code.year_from, code.year_to, code.note
        session.add(row)
        count += 1
    session.flush()
    return count


def read_db(session: Session) -> list[FrameCode]:
    rows = session.execute(select(FrameCodeRow)).scalars()
    return [
        FrameCode(
            prefix=r.prefix.upper(),
            make=canonical_make(r.make) or r.make,
            model=r.model,
            engine=r.engine,
            year_from=r.year_from,
            year_to=r.year_to,
            note=r.note,
        )
        for r in rows
    ]


def table_with_db(session: Session) -> FrameCodeTable:
    """The shipped table with the shop's own database rows on top (DB wins per prefix)."""
    return default_table().updated(read_db(session))


# --------------------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    """``check`` or ``load`` a frame-code CSV (see the module docstring)."""
    import argparse

    from catalog.settings import Settings
    from shopkernel.db import make_engine, make_session_factory, session_scope

    parser = argparse.ArgumentParser(prog="python -m catalog.frame_codes")
    parser.add_argument("command", choices=("check", "load"))
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV))
    args = parser.parse_args(argv)
    try:
        codes = read_csv(args.csv)
    except (FrameCodeError, OSError) as exc:
        print(f"error: {exc}")
        return 1
    if args.command == "check":
        flagged = sum(c.uncertain for c in codes)
        print(f"ok: {len(codes)} frame codes ({flagged} marked verify/uncertain)")
        return 0
    engine = make_engine(Settings.from_env().database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            written = save_to_db(session, codes)
    finally:
        engine.dispose()
    print(f"loaded {written} frame codes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
