"""Readable views of the catalog tables for assertions."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import String, select, type_coerce

from catalog.csv_format import STANDARD_COLUMNS
from catalog.schema import Category, Fitment, Make, Model, Part, PartNumber

HEADER = ",".join(STANDARD_COLUMNS)


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every catalog row, ids and timestamps included, in a stable order."""
    tables = {
        "makes": (Make.id, Make.name),
        "models": (Model.id, Model.make_id, Model.name),
        "categories": (Category.id, Category.name),
        "parts": (
            Part.id, Part.sku, Part.name, Part.category_id, Part.brand, Part.part_number,
            Part.part_number_norm, type_coerce(Part.price_aed, String), Part.stock, Part.condition,
            Part.created_at, Part.updated_at,
        ),
        "part_numbers": (PartNumber.id, PartNumber.part_id, PartNumber.number, PartNumber.kind),
        "fitments": (
            Fitment.id, Fitment.part_id, Fitment.make_id, Fitment.model_id, Fitment.year_from,
            Fitment.year_to, Fitment.engine,
        ),
    }  # fmt: skip
    with engine.connect() as conn:
        return {name: sorted(tuple(r) for r in conn.execute(select(*cols))) for name, cols in tables.items()}


def _money(value) -> Decimal:
    """Prices as Decimal with cents (SQLite hands back floats, PostgreSQL Decimals)."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def parts_by_sku(engine) -> dict[str, dict]:
    """sku -> part row with its category name, numbers and fitments, for readable assertions."""
    with engine.connect() as conn:
        parts = {
            r.sku: {**r._asdict(), "price_aed": _money(r.price_aed), "numbers": set(), "fitments": set()}
            for r in conn.execute(
                select(
                    Part.id, Part.sku, Part.name, Category.name.label("category"), Part.brand,
                    Part.part_number, type_coerce(Part.price_aed, String).label("price_aed"), Part.stock,
                    Part.condition,
                ).join(Category)
            )
        }  # fmt: skip
        by_id = {p["id"]: p for p in parts.values()}
        for part_id, number in conn.execute(select(PartNumber.part_id, PartNumber.number)):
            by_id[part_id]["numbers"].add(number)
        rows = conn.execute(
            select(Fitment.part_id, Make.name, Model.name, Fitment.year_from, Fitment.year_to, Fitment.engine)
            .join(Make, Fitment.make_id == Make.id)
            .join(Model, Fitment.model_id == Model.id)
        )
        for part_id, make, model, year_from, year_to, engine_code in rows:
            by_id[part_id]["fitments"].add((make, model, year_from, year_to, engine_code))
    return parts
