"""The generated sample catalog: deterministic, valid, and covering what demos and tests search for."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from catalog.csv_format import STANDARD_COLUMNS
from catalog.importer import import_catalog
from catalog.normalize import normalize_part_number
from catalog.sample import GENERATIONS, sample_csv, write_sample
from catalog.schema import Category, Fitment, Make, Model, Part, PartNumber

REQUIRED_MAKES = {
    "Toyota", "Nissan", "Lexus", "Mitsubishi", "Hyundai", "Kia", "Honda", "Chevrolet", "GMC", "Ford",
    "Mercedes-Benz", "BMW", "Land Rover",
}  # fmt: skip
REQUIRED_MODELS = {
    "Land Cruiser", "Prado", "Camry", "Corolla", "Hilux", "Yaris", "Fortuner", "Patrol", "Sunny", "Altima",
    "X-Trail", "LX570", "ES", "Pajero", "Lancer", "Elantra", "Accent", "Tucson", "Sportage", "Cerato",
    "Accord", "Civic", "Tahoe", "Yukon", "Explorer", "G-Class", "X5", "Range Rover",
}  # fmt: skip
REQUIRED_CATEGORIES = {
    "Brake Pads", "Brake Discs", "Oil Filter", "Air Filter", "Cabin Filter", "Spark Plugs", "Shock Absorber",
    "Alternator", "Starter Motor", "Radiator", "AC Compressor", "Water Pump", "Fuel Pump", "Timing Belt",
    "Headlight", "Tail Light", "Side Mirror", "Front Bumper", "Clutch Kit", "Wheel Bearing", "Control Arm",
    "Engine Mount", "Battery", "Wiper Blades",
}  # fmt: skip


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_same_seed_same_bytes_other_seed_other_catalog(tmp_path):
    a = write_sample(tmp_path / "a.csv", 3000, seed=7).read_bytes()
    b = write_sample(tmp_path / "b.csv", 3000, seed=7).read_bytes()
    c = write_sample(tmp_path / "c.csv", 3000, seed=8).read_bytes()
    assert a == b
    assert a != c
    assert a.decode("utf-8") == sample_csv(3000, seed=7)


def test_covers_the_required_makes_models_and_categories():
    rows = _rows(sample_csv(1500))
    assert len(rows) == 1500
    assert list(rows[0]) == list(STANDARD_COLUMNS)
    assert {r["make"] for r in rows} >= REQUIRED_MAKES
    assert {r["model"] for r in rows} >= REQUIRED_MODELS
    assert {r["category"] for r in rows} >= REQUIRED_CATEGORIES


def test_looks_like_a_real_catalog():
    rows = _rows(sample_csv(20000, seed=1))
    per_sku: dict[str, list[dict]] = {}
    for row in rows:
        per_sku.setdefault(row["sku"], []).append(row)
    assert len(rows) / len(per_sku) >= 1.8  # several fitments per part
    assert any(r["stock"] == "0" for r in rows) and any(int(r["stock"]) > 0 for r in rows)
    assert {r["condition"] for r in rows} == {"genuine", "oem", "aftermarket", "used"}
    assert any(r["engine"] for r in rows) and any(not r["engine"] for r in rows)
    brands = {r["brand"] for r in rows}
    assert {"Toyota Genuine", "Nissan Genuine", "Mobis", "Denso", "Bosch", "Brembo", "KYB", "NGK"} <= brands
    oil = [float(r["price_aed"]) for r in rows if r["category"] == "Oil Filter"]
    compressors = [float(r["price_aed"]) for r in rows if r["category"] == "AC Compressor"]
    assert max(oil) < min(compressors)  # prices follow the category
    for row in rows:  # every year range sits inside a real generation of that model
        yf, yt = int(row["year_from"]), int(row["year_to"])
        assert any(
            g.make == row["make"] and g.model == row["model"] and g.year_from <= yf <= yt <= g.year_to
            for g in GENERATIONS
        ), row


@pytest.fixture
def loaded_sample(engine, tmp_path):
    result = import_catalog(engine, write_sample(tmp_path / "sample.csv", 2500))
    assert result.parsed.rejects == []  # the generator only writes valid rows
    return engine


def _in_stock_brands(engine, category: str, model: str, year: int) -> set[str]:
    query = (
        select(Part.brand)
        .join(Category)
        .join(Fitment, Fitment.part_id == Part.id)
        .join(Model, Fitment.model_id == Model.id)
        .where(Category.name == category, Model.name == model, Part.stock > 0)
        .where(Fitment.year_from <= year, Fitment.year_to >= year)
    )
    with engine.connect() as conn:
        return set(conn.execute(query).scalars())


def test_land_cruiser_2015_has_pads_and_oil_filters_in_stock_from_several_brands(loaded_sample):
    assert len(_in_stock_brands(loaded_sample, "Brake Pads", "Land Cruiser", 2015)) >= 3
    assert len(_in_stock_brands(loaded_sample, "Oil Filter", "Land Cruiser", 2015)) >= 3


def test_land_cruiser_front_pads_carry_oem_number_04465_60320(loaded_sample):
    query = (
        select(Part.name, Make.name)
        .join(PartNumber, PartNumber.part_id == Part.id)
        .join(Fitment, Fitment.part_id == Part.id)
        .join(Make, Fitment.make_id == Make.id)
        .join(Model, Fitment.model_id == Model.id)
        .where(PartNumber.number_norm == normalize_part_number("04465 60320"), Model.name == "Land Cruiser")
    )
    with loaded_sample.connect() as conn:
        hits = conn.execute(query).all()
    assert len({name for name, _ in hits}) >= 1
    assert all(name.startswith("Front Brake Pads") for name, _ in hits)
