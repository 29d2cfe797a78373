"""How fast the catalog importer is, on SQLite and PostgreSQL, next to PostgreSQL's raw COPY.

    .venv/bin/python benchmarks/import_benchmark.py               # 80,000 rows
    .venv/bin/python benchmarks/import_benchmark.py --rows 800000

Generates the sample catalog, then times: validation alone; a first import into
a fresh database; re-importing the same file (nothing changes); a newer export
where a third of the parts changed price and stock. PostgreSQL runs in a
throwaway database created and dropped here (skipped with a message when the
server is unreachable); ``COPY`` of the same file into a bare all-text table is
the practical floor for getting these bytes into PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from catalog.csv_format import STANDARD_COLUMNS, read_catalog
from catalog.importer import import_catalog
from catalog.migrate import upgrade_database
from catalog.sample import write_sample
from shopkernel.db import make_engine

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def timed(label: str, rows: int, func: Callable[[], object]) -> object:
    """Run and print wall time, rows/s and this process's CPU time (the machine is shared)."""
    started, cpu = time.perf_counter(), time.process_time()
    value = func()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rate = rows / seconds
    print(f"  {label:<42} {seconds:7.2f} s {rate:>9,.0f} rows/s  (client CPU {cpu:5.2f} s)", flush=True)
    return value


def newer_export(source: Path, target: Path) -> int:
    """Copy the file with price +5% and stock -1 on every third sku (a typical next-day export)."""
    changed: set[str] = set()
    with (
        source.open(encoding="utf-8", newline="") as src,
        target.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader, writer = csv.DictReader(src), csv.DictWriter(dst, STANDARD_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in reader:
            if int(row["sku"].rsplit("-", 1)[1]) % 3 == 0:
                row["price_aed"] = f"{float(row['price_aed']) * 1.05:.2f}"
                row["stock"] = str(max(0, int(row["stock"]) - 1))
                changed.add(row["sku"])
            writer.writerow(row)
    return len(changed)


def bench_database(name: str, url: str, csv_path: Path, newer: Path, rows: int) -> None:
    print(f"{name}:")
    upgrade_database(url)
    engine = make_engine(url)
    try:
        first = timed("first import (fresh database)", rows, lambda: import_catalog(engine, csv_path))
        s = first.summary
        print(
            f"    parts {s.parts_inserted:,} · fitments {s.fitments_inserted:,} · "
            f"numbers {s.oem_numbers_inserted:,}"
        )
        again = timed("re-import, same file (all unchanged)", rows, lambda: import_catalog(engine, csv_path))
        assert again.summary.parts_updated == again.summary.parts_inserted == 0, again.summary
        update = timed("newer export (1/3 of parts changed)", rows, lambda: import_catalog(engine, newer))
        print(f"    parts updated {update.summary.parts_updated:,}")
    finally:
        engine.dispose()


def bench_postgres(csv_path: Path, newer: Path, rows: int) -> None:
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        print(f"PostgreSQL: skipped, not reachable at {PG_ADMIN_URL} ({type(exc).__name__})")
        return
    name = f"import_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        bench_database("PostgreSQL", url, csv_path, newer, rows)
        bench_copy(url, csv_path, rows)
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def bench_copy(url: str, csv_path: Path, rows: int) -> None:
    """COPY the raw file into an unindexed all-text table: no validation, no upsert."""
    engine = create_engine(url, future=True)
    columns = ", ".join(f"{c} text" for c in STANDARD_COLUMNS)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE TABLE bare_copy ({columns})"))

        def copy() -> None:
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cursor, csv_path.open(encoding="utf-8") as handle:
                    cursor.copy_expert("COPY bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
                raw.commit()
            finally:
                raw.close()

        timed("COPY into a bare text table (the floor)", rows, copy)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=80_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        tmpdir = Path(tmp)
        csv_path, newer = tmpdir / "catalog.csv", tmpdir / "newer.csv"
        print(f"{args.rows:,} rows, seed {args.seed}, {os.cpu_count()} CPU(s)")
        timed("generate sample CSV", args.rows, lambda: write_sample(csv_path, args.rows, args.seed))
        print(
            f"  file size {csv_path.stat().st_size / 1e6:.1f} MB; "
            f"{newer_export(csv_path, newer):,} skus changed in the newer export"
        )
        timed("read + validate only (no database)", args.rows, lambda: read_catalog(csv_path))
        bench_database("SQLite", f"sqlite:///{tmpdir / 'bench.db'}", csv_path, newer, args.rows)
        if not args.skip_postgres:
            bench_postgres(csv_path, newer, args.rows)


if __name__ == "__main__":
    main()
