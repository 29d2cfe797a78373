"""Part-search latency on a realistic catalog, SQLite and PostgreSQL.

Builds the catalog with the shop's own tools (``catalog.sample`` = ``python -m catalog_loader
sample`` and ``catalog.importer`` = ``python -m catalog_loader import``, which also syncs the
vocabulary), then runs a deterministic mix of customer queries through ``search_parts``
(English, Arabic, Arabizi, typos, part numbers in many formats, model only, make only, free
text) and prints p50/p95/max per database and per kind of query.

    .venv/bin/python benchmarks/search_benchmark.py                  # 80,000 CSV rows, both DBs
    .venv/bin/python benchmarks/search_benchmark.py --rows 800000 --backends sqlite
    BENCH_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test   # admin URL (a throwaway DB is made)

``--rows`` counts CSV rows as the loader does (one row per part x vehicle); the part count
is printed too. Goal: p95 < 20 ms on both databases.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from catalog.importer import import_catalog
from catalog.sample import write_sample
from catalog.schema import Category, Fitment, Make, Model, Part, PartNumber, metadata
from catalog.search import PartQuery, search_parts
from catalog.vocabulary import Vocabulary
from shopkernel.db import make_engine, make_session_factory

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# How customers write some models and parts (a subset; the vocabulary knows many more).
ARABIC_MODELS = {
    "Land Cruiser": "لاندكروزر", "Prado": "برادو", "Patrol": "باترول", "Camry": "كامري", "Sunny": "صني",
    "Hilux": "هايلكس", "Corolla": "كورولا", "Yaris": "يارس", "Accent": "اكسنت", "Elantra": "النترا",
    "Altima": "التيما", "Pajero": "باجيرو", "Tahoe": "تاهو", "Yukon": "يوكن",
}  # fmt: skip
TYPO_MODELS = {
    "Land Cruiser": "landcrusier", "Patrol": "patrl", "Camry": "camri", "Corolla": "corola",
    "Prado": "pardo", "Elantra": "elentra", "Sunny": "suny", "Accent": "acent", "Hilux": "hilix",
}  # fmt: skip
ARABIC_PARTS = {
    "Brake Pads": "فحمات", "Oil Filter": "فلتر دهن", "Spark Plugs": "بواجي", "Shock Absorber": "مساعدات",
    "Alternator": "دينمو", "Starter Motor": "سلف", "Radiator": "رديتر", "Water Pump": "طرمبة ماء",
    "Fuel Pump": "طرمبة بنزين", "Battery": "بطارية", "Wiper Blades": "مساحات", "Clutch Kit": "كلتش",
    "Engine Mount": "كرسي مكينة", "Wheel Bearing": "رمان بلي", "Control Arm": "مقص",
}  # fmt: skip
ARABIZI_PARTS = {
    "Brake Pads": "fa7mat", "Shock Absorber": "msa3dat", "Oil Filter": "filter zait", "Spark Plugs": "bawaji",
    "Alternator": "dinamo", "Battery": "betri",
}  # fmt: skip
TYPO_PARTS = {
    "Brake Pads": "brake pds", "Oil Filter": "oil filtr", "Shock Absorber": "shok absorber",
    "Alternator": "alternater", "Radiator": "radiater", "Battery": "battary",
}  # fmt: skip
FREE_TEXT = ["front left", "rear brake", "genuine pads", "lc200", "side mirror glass", "xv70", "y62 front"]


@dataclass
class Catalog:
    vehicles: list[tuple[str, str, int, int]]  # make, model, year_from, year_to
    categories: list[str]
    numbers: list[str]


def build(url: str, rows: int, csv_path: Path) -> dict:
    engine = make_engine(url)
    metadata.create_all(engine)
    started = time.perf_counter()
    result = import_catalog(engine, csv_path)
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # fresh statistics, as after any bulk load
    with make_session_factory(engine)() as s:
        counts = {
            "parts": s.execute(select(func.count()).select_from(Part)).scalar(),
            "fitments": s.execute(select(func.count()).select_from(Fitment)).scalar(),
            "numbers": s.execute(select(func.count()).select_from(PartNumber)).scalar(),
        }
    engine.dispose()
    if result.warnings:
        print("  import warnings:", result.warnings)
    return {"import_s": seconds, **counts}


def read_catalog(session) -> Catalog:
    vehicles = [
        (mk, md, y0, y1)
        for mk, md, y0, y1 in session.execute(
            select(Make.name, Model.name, func.min(Fitment.year_from), func.max(Fitment.year_to))
            .join(Make, Make.id == Fitment.make_id)
            .join(Model, Model.id == Fitment.model_id)
            .group_by(Make.name, Model.name)
            .order_by(Make.name, Model.name)
        )
    ]
    categories = [c for (c,) in session.execute(select(Category.name).order_by(Category.name))]
    numbers = [n for (n,) in session.execute(select(PartNumber.number).order_by(PartNumber.id).limit(5000))]
    numbers += [n for (n,) in session.execute(select(Part.part_number).order_by(Part.id).limit(5000))]
    return Catalog(vehicles, categories, numbers)


def queries(cat: Catalog, count: int, seed: int = 7) -> list[tuple[str, PartQuery]]:
    """A deterministic mix of what customers send."""
    r = random.Random(seed)
    out: list[tuple[str, PartQuery]] = []

    def vehicle():
        make, model, y0, y1 = r.choice(cat.vehicles)
        year = r.randint(y0, y1) if r.random() < 0.9 else r.choice((1990, y1 + 1))
        return make, model, min(year, 2100)

    def number_format(n: str) -> str:
        style = r.randrange(6)
        if style == 0:
            return n.replace("-", "").replace(" ", "")
        if style == 1:
            return n.replace("-", " ")
        if style == 2:
            return n.lower()
        if style == 3:
            return n.translate(ARABIC_DIGITS)
        if style == 4:
            return n.replace("-", "")[:8]  # partial: prefix search
        return n

    kinds = [
        ("english", 25), ("arabic", 15), ("arabizi_typo", 12), ("part_number", 15), ("model_only", 8),
        ("make_part", 8), ("part_only", 5), ("free_text", 7), ("pasted_number", 5),
    ]  # fmt: skip
    names = [k for k, _ in kinds]
    weights = [w for _, w in kinds]
    for _ in range(count):
        kind = r.choices(names, weights)[0]
        make, model, year = vehicle()
        category = r.choice(cat.categories)
        if kind == "english":
            q = PartQuery(make=make, model=model, year=year, part=category.lower())
        elif kind == "arabic":
            q = PartQuery(
                model=ARABIC_MODELS.get(model, model), year=year, part=ARABIC_PARTS.get(category, category)
            )
        elif kind == "arabizi_typo":
            part = r.choice([ARABIZI_PARTS, TYPO_PARTS]).get(category, category)
            q = PartQuery(make="toyta" if make == "Toyota" else make, model=TYPO_MODELS.get(model, model),
                          year=year, part=part)  # fmt: skip
        elif kind == "part_number":
            q = PartQuery(part_number=number_format(r.choice(cat.numbers)))
        elif kind == "pasted_number":
            q = PartQuery(part=number_format(r.choice(cat.numbers)))
        elif kind == "model_only":
            q = PartQuery(model=model, year=year)
        elif kind == "make_part":
            q = PartQuery(make=make, part=category)
        elif kind == "part_only":
            q = PartQuery(part=r.choice([category, ARABIC_PARTS.get(category, category)]))
        else:
            q = PartQuery(model=model if r.random() < 0.6 else None, part=r.choice(FREE_TEXT))
        out.append((kind, q))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(url: str, label: str, n_queries: int) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    loads = []
    for _ in range(5):
        with factory() as s:
            t = time.perf_counter()
            vocab = Vocabulary.load(s)
            loads.append((time.perf_counter() - t) * 1000)
    with factory() as s:
        cat = read_catalog(s)
    mix = queries(cat, n_queries)
    for _, q in mix[:30]:  # warm caches and the connection pool
        with factory() as s:
            search_parts(s, q, vocab)
    per_kind: dict[str, list[float]] = defaultdict(list)
    cpu: list[float] = []
    opening: list[float] = []
    empty = 0
    for kind, q in mix:
        t0 = time.perf_counter()
        with factory() as s:
            s.connection()  # the session's connection (a new one per session with SQLite's NullPool)
            t = time.perf_counter()
            c = time.process_time()
            hits = search_parts(s, q, vocab)
            per_kind[kind].append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            opening.append((t - t0) * 1000)
        empty += not hits
    every = [v for values in per_kind.values() for v in values]
    print(f"\n{label}: Vocabulary.load median {statistics.median(loads):.1f} ms (max {max(loads):.1f})")
    load = os.getloadavg()[0]
    print(f"  {len(every)} queries, {empty} with no hits; load average {load:.1f} on {os.cpu_count()} cores")
    p50, p95 = percentile(opening, 50), percentile(opening, 95)
    print(f"  session open (not in the figures below): p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    print(f"  {'kind':<14}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    rows = sorted(per_kind.items()) + [("ALL (wall)", every), ("ALL (our CPU)", cpu)]
    for kind, v in rows:
        print(f"  {kind:<14}{len(v):>5}{percentile(v, 50):>9.2f}{percentile(v, 95):>9.2f}{max(v):>9.2f}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=80_000, help="CSV rows (part x vehicle) to generate")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the CSV and SQLite file here")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="search_bench_"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / f"sample_{args.rows}.csv"
    if not csv_path.exists():
        t = time.perf_counter()
        write_sample(csv_path, args.rows)
        print(f"sample catalog: {args.rows:,} rows in {time.perf_counter() - t:.1f} s -> {csv_path}")
    for backend in args.backends.split(","):
        if backend == "sqlite":
            db = workdir / f"bench_{args.rows}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            url = f"sqlite:///{db}"
            info = build(url, args.rows, csv_path)
            print(f"SQLite: {info}")
            run(url, f"SQLite ({info['parts']:,} parts, {info['fitments']:,} fitments)", args.queries)
        elif backend == "postgresql":
            admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
            name = f"partsbot_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
            try:
                info = build(url, args.rows, csv_path)
                print(f"PostgreSQL: {info}")
                run(url, f"PostgreSQL ({info['parts']:,} parts, {info['fitments']:,} fitments)", args.queries)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        else:
            parser.error(f"unknown backend {backend!r}")


if __name__ == "__main__":
    main()
