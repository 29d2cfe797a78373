"""Importing catalog CSVs: validation with line numbers, upserts in place, prune, atomicity.

Every test runs on SQLite and PostgreSQL (the ``engine`` fixture is parametrised).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from catalog import importer
from catalog.csv_format import CatalogFileError
from catalog.importer import CatalogImportError, import_catalog
from catalog.schema import Category, Fitment, Make, Model, Part
from tests.loader.helpers import HEADER, parts_by_sku, snapshot

GOOD = [
    "TY-1,Front Brake Pads,Brake Pads,Toyota Genuine,04465-60320,04465-60320|04465-60280,"
    "Toyota,Land Cruiser,2008,2021,,350.00,12,genuine",
    "TY-1,Front Brake Pads,Brake Pads,Toyota Genuine,04465-60320,04465-60320,"
    "Lexus,LX570,2008,2021,,350.00,12,genuine",
    "NS-1,Oil Filter,Oil Filter,Nissan Genuine,15208-65F0C,15208-65F0C,"
    "Nissan,Patrol,2010,2024,VK56VD,45,30,genuine",
    "BR-1,Brake Discs,Brake Discs,Brembo,09.A820.11,,Nissan,Patrol,2010,2024,,780,0,aftermarket",
]


def _csv(*rows: str, header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *rows]) + newline


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


# --------------------------------------------------------------------------- a dirty export
DIRTY_LINES = [
    HEADER,  # 1
    'AR-1,"Brake Pads, Front / فحمات فرامل أمامية",Brake Pads,Akebono,AN-743WK,04465-60320,'
    "Toyota,Land Cruiser,2008,2021,,420.50,5,aftermarket",  # 2: quoted comma + Arabic
    'AR-1,"Brake Pads, Front / فحمات فرامل أمامية",Brake Pads,Akebono,AN-743WK,,'
    "Lexus,LX570,2008,2021,,420.50,5,aftermarket",  # 3: second fitment of the same part
    "BAD-1,Oil Filter,Oil Filter,,90915-YZZD4,,Toyota,Camry,2012,2017,,30,4,genuine",  # 4: no brand
    "BAD-2,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,2018,2012,,30,4,oem",  # 5: years reversed
    "BAD-3,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,1900,2012,,30,4,oem",  # 6: year too early
    "BAD-4,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,2012,2017,,abc,4,oem",  # 7: price not a number
    "BAD-5,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,2012,2017,,-5,4,oem",  # 8: negative price
    "BAD-6,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,2012,2017,,30,-2,oem",  # 9: negative stock
    "BAD-7,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,2012,2017,,30,2.5,oem",  # 10: fractional stock
    "BAD-8,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,2012,2017,,30,2,refurbished",  # 11: condition
    "BAD-9,Oil Filter,Oil Filter,Denso,X1,,Toyota,Camry,2012,2017,30,2,oem",  # 12: 13 columns
    'AR-1,"Brake Pads, Front / فحمات فرامل أمامية",Brake Pads,Akebono,AN-743WK,,'
    "Toyota,Prado,2010,2020,,399.00,5,aftermarket",  # 13: same sku, other price
    'AR-1,"Brake Pads, Front / فحمات فرامل أمامية",Brake Pads,Akebono,AN-743WK,04465-60320,'
    "Toyota,Land Cruiser,2008,2021,,420.50,5,aftermarket",  # 14: duplicate of line 2
    'OK-2,Air Filter,Air Filter,Mann-Filter,C 25 004,,Toyota,Camry,2012,2017,,"1,250.00",, OEM ',  # 15
    "OK-3,Cabin Filter,Cabin Filter,Denso,DCC-1009,,Toyota,Corolla,2014,2019,,AED 350,3,Genuine,,",  # 16
    'OK-4,"Headlight Left',  # 17: a quoted value spanning two physical lines
    'مصباح أمامي",Headlight,Koito,81150-60K40,,Toyota,Land Cruiser,2016,2021,,2450,1,used',  # 18
    "BAD-10,Radiator,Radiator,Denso,X,,,Camry,2012,2017,,900,1,oem",  # 19: no make
    "",  # 20: blank line, ignored
    "BAD-11,Radiator,Radiator,Denso,X,,Toyota,Camry,2012,2099,,900,1,oem",  # 21: year too late
]
EXPECTED_REJECTS = [
    (4, "missing brand"),
    (5, "year_from 2018 is after year_to 2012"),
    (6, "year_from 1900 is outside 1950.."),
    (7, "price_aed 'abc' is not a number"),
    (8, "price_aed -5 is negative"),
    (9, "stock -2 is negative"),
    (10, "stock '2.5' is not a whole number"),
    (11, "unknown condition 'refurbished'"),
    (12, "wrong number of columns: expected 14, found 13"),
    (13, "sku AR-1 has price 399.00 here but 420.50 on line 2"),
    (19, "missing make"),
    (21, "year_to 2099 is outside 1950.."),
]


@pytest.fixture
def dirty_csv(write_csv):
    return write_csv("\r\n".join(DIRTY_LINES) + "\r\n", bom=True)


def test_dirty_file_loads_good_rows_and_reports_each_bad_one_with_its_line(engine, dirty_csv):
    result = import_catalog(engine, dirty_csv)

    rejects = [(r.line, r.reason) for r in result.parsed.rejects]
    assert len(rejects) == len(EXPECTED_REJECTS)
    for (line, reason), (want_line, want_reason) in zip(rejects, EXPECTED_REJECTS, strict=True):
        assert line == want_line
        assert reason.startswith(want_reason), (line, reason)
    s = result.summary
    assert (s.rows_read, s.rows_rejected, s.duplicate_rows) == (18, 12, 1)  # 20 lines: 1 blank, 1 record on 2
    assert (s.parts_inserted, s.fitments_inserted) == (4, 5)

    parts = parts_by_sku(engine)
    assert set(parts) == {"AR-1", "OK-2", "OK-3", "OK-4"}
    pads = parts["AR-1"]
    assert pads["name"] == "Brake Pads, Front / فحمات فرامل أمامية"
    assert pads["price_aed"] == Decimal("420.50")
    assert pads["fitments"] == {
        ("Toyota", "Land Cruiser", 2008, 2021, ""),
        ("Lexus", "LX570", 2008, 2021, ""),
    }
    assert pads["numbers"] == {"04465-60320"}
    air = parts["OK-2"]
    assert (air["price_aed"], air["stock"], air["condition"]) == (Decimal("1250.00"), 0, "oem")
    cabin = parts["OK-3"]
    assert (cabin["price_aed"], cabin["condition"]) == (Decimal("350.00"), "genuine")
    assert parts["OK-4"]["name"] == "Headlight Left مصباح أمامي"  # line break inside quotes folded
    assert parts["OK-4"]["condition"] == "used"


def test_whole_rejected_file_loads_nothing(engine, write_csv):
    path = write_csv(_csv("X-1,Pads,Brake Pads,,1,,Toyota,Camry,2012,2017,,10,1,oem"))
    result = import_catalog(engine, path)
    assert not result.loaded_anything
    assert _count(engine, Part) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("sku,name,brand\nA,B,C\n", "missing required column(s): category, make, model, price_aed"),
        ("sku,sku,name\n", "repeats column(s): sku"),
    ],
)
def test_unusable_header_is_a_file_error(engine, write_csv, content, message):
    with pytest.raises(CatalogFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_catalog(engine, write_csv(content))


def test_non_utf8_and_excel_files_are_file_errors(engine, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        (HEADER + "\nA,Pi\xe8ce,Brake Pads,B,1,,Toyota,Camry,2012,2017,,1,1,oem\n").encode("latin-1")
    )
    with pytest.raises(CatalogFileError, match="not UTF-8"):
        import_catalog(engine, latin)
    xlsx = tmp_path / "stock.csv"
    xlsx.write_bytes(b"PK\x03\x04rest-of-a-zip")
    with pytest.raises(CatalogFileError, match="Excel workbook"):
        import_catalog(engine, xlsx)


# --------------------------------------------------------------------------- re-import and updates
def test_reimporting_the_same_file_changes_nothing(engine, write_csv):
    path = write_csv(_csv(*GOOD))
    first = import_catalog(engine, path).summary
    assert (first.parts_inserted, first.fitments_inserted, first.oem_numbers_inserted) == (3, 4, 3)
    before = snapshot(engine)

    again = import_catalog(engine, path).summary

    assert (again.parts_inserted, again.parts_updated, again.parts_unchanged) == (0, 0, 3)
    assert (again.fitments_inserted, again.fitments_removed, again.fitments_unchanged) == (0, 0, 4)
    assert (again.oem_numbers_inserted, again.oem_numbers_removed, again.oem_numbers_unchanged) == (0, 0, 3)
    assert (again.makes_added, again.models_added, again.categories_added) == (0, 0, 0)
    assert snapshot(engine) == before


def test_newer_export_updates_in_place_and_keeps_part_ids(engine, write_csv):
    import_catalog(engine, write_csv(_csv(*GOOD), name="monday.csv"))
    ids_before = {sku: p["id"] for sku, p in parts_by_sku(engine).items()}
    newer = [
        # price and stock changed; LX570 fitment dropped; one OEM number dropped, one added
        "TY-1,Front Brake Pads,Brake Pads,Toyota Genuine,04465-60320,04465-60320|04465-0K290,"
        "Toyota,Land Cruiser,2008,2021,,365.00,7,genuine",
        GOOD[2],
        # renamed, new brand; new fitment with engine
        "BR-1,Brake Discs Front,Brake Discs,TRW,DF4855S,,Nissan,Patrol,2010,2024,VK56DE,610,3,aftermarket",
    ]
    summary = import_catalog(engine, write_csv(_csv(*newer), name="tuesday.csv")).summary

    assert (summary.parts_inserted, summary.parts_updated, summary.parts_unchanged) == (0, 2, 1)
    assert (summary.fitments_inserted, summary.fitments_removed) == (1, 2)
    assert (summary.oem_numbers_inserted, summary.oem_numbers_removed) == (1, 1)
    parts = parts_by_sku(engine)
    assert {sku: p["id"] for sku, p in parts.items()} == ids_before
    pads = parts["TY-1"]
    assert (pads["price_aed"], pads["stock"]) == (Decimal("365.00"), 7)
    assert pads["fitments"] == {("Toyota", "Land Cruiser", 2008, 2021, "")}
    assert pads["numbers"] == {"04465-60320", "04465-0K290"}
    discs = parts["BR-1"]
    assert (discs["name"], discs["brand"], discs["part_number"]) == ("Brake Discs Front", "TRW", "DF4855S")
    assert discs["fitments"] == {("Nissan", "Patrol", 2010, 2024, "VK56DE")}


def test_prune_only_with_the_flag_and_never_a_sku_seen_on_a_rejected_row(engine, write_csv):
    import_catalog(engine, write_csv(_csv(*GOOD), name="full.csv"))
    # NS-1's row is broken this time (bad year): it must survive a prune, fitments untouched.
    partial = write_csv(
        _csv(
            GOOD[0],
            "NS-1,Oil Filter,Oil Filter,Nissan Genuine,15208-65F0C,,Nissan,Patrol,2010,20244,,45,30,genuine",
        ),
        name="partial.csv",
    )
    kept = import_catalog(engine, partial).summary
    assert kept.parts_pruned == 0 and set(parts_by_sku(engine)) == {"TY-1", "NS-1", "BR-1"}

    pruned = import_catalog(engine, partial, prune=True).summary

    assert pruned.parts_pruned == 1
    parts = parts_by_sku(engine)
    assert set(parts) == {"TY-1", "NS-1"}
    assert parts["NS-1"]["fitments"] == {("Nissan", "Patrol", 2010, 2024, "VK56VD")}
    assert parts["NS-1"]["numbers"] == {"15208-65F0C"}
    assert _count(engine, Fitment) == 2


def test_dry_run_reports_changes_but_writes_nothing(engine, write_csv):
    summary = import_catalog(engine, write_csv(_csv(*GOOD)), dry_run=True).summary
    assert (summary.dry_run, summary.parts_inserted, summary.fitments_inserted) == (True, 3, 4)
    assert [_count(engine, t) for t in (Part, Fitment, Make, Model, Category)] == [0, 0, 0, 0, 0]

    import_catalog(engine, write_csv(_csv(*GOOD)))
    before = snapshot(engine)
    changed = write_csv(_csv(GOOD[0].replace("350.00", "999.00")), name="changed.csv")
    summary = import_catalog(engine, changed, dry_run=True, prune=True).summary
    assert (summary.parts_updated, summary.parts_pruned) == (1, 2)
    assert snapshot(engine) == before


def test_failure_on_a_later_batch_leaves_the_catalog_as_it_was(engine, write_csv, monkeypatch):
    import_catalog(engine, write_csv(_csv(*GOOD), name="first.csv"))
    before = snapshot(engine)
    rows = [GOOD[0].replace("350.00", "360.00")] + [
        f"NEW-{i},Wiper Blades,Wiper Blades,Bosch,AP{i},,Kia,Sportage,2016,2021,,40,{i},aftermarket"
        for i in range(40)
    ]
    monkeypatch.setattr(importer, "BATCH_SIZE", 10)
    real_insert = importer._insert_rows
    fitment_batches = []

    def fail_on_third_fitment_batch(conn, table, rows):
        if table.name == "fitments":
            fitment_batches.append(len(rows))
            if len(fitment_batches) == 3:
                raise OperationalError("INSERT INTO fitments", {}, Exception("disk I/O error (injected)"))
        real_insert(conn, table, rows)

    monkeypatch.setattr(importer, "_insert_rows", fail_on_third_fitment_batch)
    with pytest.raises(CatalogImportError, match="nothing was changed"):
        import_catalog(engine, write_csv(_csv(*rows), name="second.csv"), prune=True)

    assert len(fitment_batches) == 3  # the failure really came after earlier batches were written
    assert snapshot(engine) == before


# --------------------------------------------------------------------------- other layouts
def test_mapping_semicolons_and_a_years_column(engine, write_csv):
    content = (
        "Item Code;Description;Group;Make;Model;Years;Price;Qty;Condition;Brand;Remarks\n"
        "P-100;Spark Plug Iridium;Spark Plugs;Toyota;Camry;2012 - 2017;45.00;8;OEM;Denso;top seller\n"
        "P-100;Spark Plug Iridium;Spark Plugs;Lexus;ES;2013–2018;45.00;8;OEM;Denso;\n"
        "P-101;Battery 70Ah;Battery;Nissan;Sunny;2020+;420;;aftermarket;Varta;\n"
    )
    path = write_csv(content)
    mapping = {"Item Code": "sku", "Description": "name", "Group": "category"}
    result = import_catalog(engine, path, mapping=mapping)

    assert result.parsed.rejects == []
    assert result.parsed.ignored_columns == ["Remarks"]
    parts = parts_by_sku(engine)
    assert parts["P-100"]["fitments"] == {
        ("Toyota", "Camry", 2012, 2017, ""),
        ("Lexus", "ES", 2013, 2018, ""),
    }
    assert parts["P-100"]["part_number"] == ""
    assert (parts["P-101"]["stock"], parts["P-101"]["brand"]) == (0, "Varta")
    (fitment,) = parts["P-101"]["fitments"]
    assert fitment[2] == 2020 and fitment[3] >= 2025  # "2020+" runs to the latest allowed year


def test_mapping_to_a_column_not_in_the_file_is_a_file_error(engine, write_csv):
    with pytest.raises(CatalogFileError, match="'Item Code' named in the mapping is not in the file"):
        import_catalog(engine, write_csv(_csv(*GOOD)), mapping={"Item Code": "sku"})


def test_makes_models_categories_are_deduplicated_case_insensitively(engine, write_csv):
    rows = [
        "A-1,Pads,brake pads,TRW,1,,TOYOTA,land cruiser,2008,2021,,10,1,oem",
        "A-2,Pads,Brake Pads,TRW,2,,Toyota,Land Cruiser,2008,2021,,10,1,oem",
        "A-3,Pads,Brake Pads,TRW,3,,Toyota,Land Cruiser,2008,2021,,10,1,oem",
        "A-4,Disc,Brake Discs,TRW,4,,Mercedes Benz,G-Class,2002,2018,,10,1,oem",
        "A-5,Disc,Brake Discs,TRW,5,,Mercedes-Benz,G Class,2002,2018,,10,1,oem",
        "A-6,Disc,Brake Discs,TRW,6,,Mercedes-Benz,G-Class,2002,2018,,10,1,oem",
    ]
    import_catalog(engine, write_csv(_csv(*rows)))
    with engine.connect() as conn:
        makes = sorted(conn.execute(select(Make.name)).scalars())
        models = sorted(conn.execute(select(Model.name)).scalars())
        categories = sorted(conn.execute(select(Category.name)).scalars())
    assert makes == ["Mercedes-Benz", "Toyota"]  # the spelling used most often in the file
    assert models == ["G-Class", "Land Cruiser"]
    assert categories == ["Brake Discs", "Brake Pads"]


def test_import_refreshes_planner_statistics_so_searches_get_good_plans(engine, write_csv):
    import_catalog(engine, write_csv(_csv(*GOOD)))

    if engine.dialect.name == "sqlite":
        query = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'fitments'"
    else:
        query = (
            "SELECT count(*) FROM pg_stat_user_tables"
            " WHERE relname = 'fitments' AND last_analyze IS NOT NULL"
        )
    with engine.connect() as conn:
        assert conn.exec_driver_sql(query).scalar() >= 1
