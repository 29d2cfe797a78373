"""A small but real Dubai catalog, built with the ORM, for search, vocabulary and lead tests.

Numbers and fitments follow the shop's reality (Toyota 04465-60320 front pads for the Land
Cruiser 200 also fit the Lexus LX570; cross-referenced aftermarket pads; out-of-stock and used
items) so that ranking and fitment tests mean something.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from catalog.normalize import normalize_part_number
from catalog.schema import Category, Fitment, Make, Model, Part, PartNumber, metadata
from catalog.vocabulary import Vocabulary, sync_vocabulary
from shopkernel.db import make_engine, make_session_factory

MODELS = {
    "Toyota": ["Land Cruiser", "Prado", "Camry", "Corolla", "Hilux", "FJ Cruiser", "Land Cruiser 70", "Rush"],
    "Nissan": ["Patrol", "Sunny", "Altima"],
    "Lexus": ["LX570", "ES"],
    "Hyundai": ["Accent", "Elantra"],
    "Kia": ["Rio", "Cerato"],
}
CATEGORIES = [
    "Brake Pads", "Brake Discs", "Oil Filter", "Air Filter", "Cabin Filter", "Spark Plugs",
    "Shock Absorber", "Alternator", "Battery", "Wiper Blades", "Front Bumper", "Fuel Pump",
    "Water Pump", "Body Accessories",
]  # fmt: skip


@dataclass(frozen=True)
class P:
    sku: str
    name: str
    category: str
    brand: str
    number: str
    oem: tuple[str, ...]
    price: str
    stock: int
    condition: str
    fits: tuple[tuple[str, str, int, int], ...]


LC = ("Toyota", "Land Cruiser", 2008, 2021)
LX = ("Lexus", "LX570", 2008, 2021)
PARTS = [
    P("BP-1", "Front Brake Pads - Toyota Land Cruiser LC200 2008-2021", "Brake Pads", "Toyota Genuine",
      "04465-60320", ("04465-60320", "04465-60280"), "420.00", 12, "genuine", (LC, LX)),
    P("BP-2", "Front Brake Pads - Toyota Land Cruiser LC200 2008-2021", "Brake Pads", "Advics",
      "A1N183", ("04465-60320",), "300.00", 5, "oem", (LC,)),
    P("BP-3", "Front Brake Pads - Toyota Land Cruiser LC200 2008-2021", "Brake Pads", "Brembo",
      "P 83 152", ("04465-60320",), "210.00", 0, "aftermarket", (LC,)),
    P("BP-4", "Rear Brake Pads - Toyota Land Cruiser LC200 2008-2021", "Brake Pads", "Toyota Genuine",
      "04466-60090", ("04466-60090",), "350.00", 8, "genuine", (LC,)),
    P("BP-5", "Front Brake Pads - Toyota Land Cruiser LC200 (used)", "Brake Pads", "Toyota Genuine",
      "04465-60280", ("04465-60280",), "150.00", 1, "used", (LC,)),
    P("BP-6", "Front Brake Pads - Nissan Patrol Y62 2010-2026", "Brake Pads", "Nissan Genuine",
      "D1060-1LB0A", ("D1060-1LB0A",), "480.00", 4, "genuine", (("Nissan", "Patrol", 2010, 2026),)),
    P("BP-7", "Front Brake Pads - Nissan Sunny N17 2011-2019", "Brake Pads", "Akebono",
      "AN-743WK", ("D1060-3AW0A",), "140.00", 6, "aftermarket", (("Nissan", "Sunny", 2011, 2019),)),
    P("BP-8", "Front Brake Pads - Toyota Prado J150 2010-2023", "Brake Pads", "Toyota Genuine",
      "04465-60330", ("04465-60330",), "390.00", 3, "genuine",
      (("Toyota", "Prado", 2010, 2023), ("Toyota", "FJ Cruiser", 2007, 2023))),
    P("BD-1", "Front Brake Discs - Toyota Land Cruiser LC200 2008-2021", "Brake Discs", "Toyota Genuine",
      "43512-60191", ("43512-60191",), "650.00", 2, "genuine", (LC,)),
    P("OF-1", "Oil Filter - Toyota Land Cruiser LC200 2008-2021", "Oil Filter", "Toyota Genuine",
      "04152-38020", ("04152-38020", "04152-YZZA1"), "45.00", 30, "genuine", (LC, LX)),
    P("OF-2", "Oil Filter - Toyota Land Cruiser LC200 2008-2021", "Oil Filter", "Denso",
      "260340-0500", ("04152-38020",), "35.00", 10, "oem", (LC,)),
    P("OF-3", "Oil Filter - Toyota Camry XV50/XV70 2012-2024", "Oil Filter", "Toyota Genuine",
      "90915-YZZD1", ("90915-YZZD1",), "30.00", 25, "genuine",
      (("Toyota", "Camry", 2012, 2024), ("Toyota", "Corolla", 2014, 2019))),
    P("OF-4", "Oil Filter - Nissan Patrol Y62 2010-2026", "Oil Filter", "Nissan Genuine",
      "15208-65F0E", ("15208-65F0E",), "40.00", 0, "genuine", (("Nissan", "Patrol", 2010, 2026),)),
    P("AF-1", "Air Filter - Toyota Hilux AN120 2016-2025", "Air Filter", "Toyota Genuine",
      "17801-0C010", ("17801-0C010",), "90.00", 7, "genuine", (("Toyota", "Hilux", 2016, 2025),)),
    P("CF-1", "Cabin Filter - Toyota Land Cruiser LC200 2008-2021", "Cabin Filter", "Denso",
      "DCC-1009", ("87139-50060",), "60.00", 9, "oem", (LC,)),
    P("SP-1", "Spark Plugs - Toyota Camry XV50 2012-2017", "Spark Plugs", "Denso",
      "IK20TT", ("90919-01253",), "40.00", 40, "oem",
      (("Toyota", "Camry", 2012, 2017), ("Lexus", "ES", 2013, 2018))),
    P("SA-1", "Front Shock Absorber - Toyota Prado J150 2010-2023", "Shock Absorber", "KYB",
      "334500", ("48510-69675",), "600.00", 4, "aftermarket", (("Toyota", "Prado", 2010, 2023),)),
    P("SA-2", "Rear Shock Absorber - Nissan Sunny N17 2011-2019", "Shock Absorber", "Monroe",
      "G1234", ("E6210-3AW0A",), "260.00", 2, "aftermarket", (("Nissan", "Sunny", 2011, 2019),)),
    P("FP-1", "Fuel Pump - Nissan Patrol Y61 1998-2016", "Fuel Pump", "Bosch",
      "0 986 580 371", ("17040-VC200",), "900.00", 1, "aftermarket", (("Nissan", "Patrol", 1998, 2016),)),
    P("WP-1", "Water Pump - Toyota Land Cruiser LC200 2008-2021", "Water Pump", "Aisin",
      "WPT-190", ("16100-59275",), "480.00", 3, "oem", (LC,)),
    P("ALT-1", "Alternator - Toyota Land Cruiser LC200 2008-2021", "Alternator", "Denso",
      "104210-4570", ("27060-38040",), "1850.00", 0, "oem", (LC,)),
    P("BAT-1", "Battery 70Ah - Nissan Sunny / Hyundai Accent", "Battery", "Varta",
      "570 412 063", (), "380.00", 15, "aftermarket",
      (("Nissan", "Sunny", 2011, 2019), ("Hyundai", "Accent", 2011, 2017))),
    P("WIP-1", "Wiper Blades - Hyundai Accent / Kia Rio 2011-2017", "Wiper Blades", "Bosch",
      "3 397 118 907", (), "60.00", 20, "aftermarket",
      (("Hyundai", "Accent", 2011, 2017), ("Kia", "Rio", 2012, 2017))),
    P("FB-1", "Front Bumper - Toyota Camry XV70 2018-2024", "Front Bumper", "Toyota Genuine",
      "52119-06952", ("52119-06952",), "900.00", 1, "used", (("Toyota", "Camry", 2018, 2024),)),
    P("ACC-1", "Side Step Running Board - Nissan Patrol Y62 2010-2026", "Body Accessories", "Nissan Genuine",
      "96101-1LA0A", ("96101-1LA0A",), "1200.00", 2, "genuine", (("Nissan", "Patrol", 2010, 2026),)),
]  # fmt: skip


def build_catalog(session: Session, parts: list[P] = PARTS, models: dict = MODELS) -> dict[str, int]:
    """Insert makes, models, categories and parts; returns sku -> part id."""
    makes = {name: Make(name=name) for name in models}
    model_rows = {(mk, md): Model(make=makes[mk], name=md) for mk, names in models.items() for md in names}
    cats = {name: Category(name=name) for name in CATEGORIES}
    session.add_all([*makes.values(), *model_rows.values(), *cats.values()])
    session.flush()
    ids = {}
    for p in parts:
        part = Part(
            sku=p.sku, name=p.name, category_id=cats[p.category].id, brand=p.brand,
            part_number=p.number, part_number_norm=normalize_part_number(p.number),
            price_aed=Decimal(p.price), stock=p.stock, condition=p.condition,
        )  # fmt: skip
        part.numbers = [PartNumber(number=n, number_norm=normalize_part_number(n), kind="oem") for n in p.oem]
        part.fitments = [
            Fitment(make_id=makes[mk].id, model_id=model_rows[(mk, md)].id, year_from=y0, year_to=y1)
            for mk, md, y0, y1 in p.fits
        ]
        session.add(part)
        session.flush()
        ids[p.sku] = part.id
    return ids


@pytest.fixture
def catalog(session_factory):
    """Session factory over a built and vocabulary-synced catalog (SQLite and PostgreSQL)."""
    with session_factory() as session:
        build_catalog(session)
        sync_vocabulary(session)
        session.commit()
    return session_factory


@pytest.fixture
def session(catalog):
    with catalog() as s:
        yield s


@pytest.fixture
def vocab(session) -> Vocabulary:
    return Vocabulary.load(session)


@pytest.fixture(scope="module")
def sqlite_vocab(tmp_path_factory) -> Vocabulary:
    """One vocabulary for the many phrasing cases: built from a real (SQLite) synced catalog."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('vocab') / 'catalog.db'}")
    metadata.create_all(engine)
    with make_session_factory(engine)() as s:
        build_catalog(s)
        sync_vocabulary(s)
        s.commit()
        vocab = Vocabulary.load(s)
    engine.dispose()
    return vocab
