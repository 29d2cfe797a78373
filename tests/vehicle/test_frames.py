"""Japanese frame numbers and the staff-editable frame-code table (CSV and database)."""

from __future__ import annotations

import pytest

from catalog.frame_codes import (
    DEFAULT_CSV,
    FrameCode,
    FrameCodeError,
    FrameCodeTable,
    default_table,
    main,
    read_csv,
    read_db,
    save_to_db,
    table_with_db,
)
from catalog.vehicle_ids import decode
from shopkernel.db import session_scope

FRAMES = [
    # typed, normalised, make, model
    ("GRJ200-1234567", "GRJ200-1234567", "Toyota", "Land Cruiser"),
    ("URJ202-4012345", "URJ202-4012345", "Toyota", "Land Cruiser"),
    ("uzj200-0123456", "UZJ200-0123456", "Toyota", "Land Cruiser"),
    ("VDJ200 0098765", "VDJ200-0098765", "Toyota", "Land Cruiser"),
    ("GRJ150-0045678", "GRJ150-0045678", "Toyota", "Land Cruiser Prado"),
    ("TRJ150-5012345", "TRJ150-5012345", "Toyota", "Land Cruiser Prado"),
    ("URJ201-4000123", "URJ201-4000123", "Lexus", "LX570"),
    ("GSV40-0012345", "GSV40-0012345", "Toyota", "Camry"),
    ("ASV50 3012345", "ASV50-3012345", "Toyota", "Camry"),
    ("ZRE142-1234567", "ZRE142-1234567", "Toyota", "Corolla"),
    ("KUN25-0123456", "KUN25-0123456", "Toyota", "Hilux"),
    ("NCP91-5123456", "NCP91-5123456", "Toyota", "Yaris"),
    ("GRJ79 – 0012345", "GRJ79-0012345", "Toyota", "Land Cruiser 70"),
    ("WGY61-123456", "WGY61-123456", "Nissan", "Patrol"),
    ("V97W-0501234", "V97W-0501234", "Mitsubishi", "Pajero"),
    ("GRJ2001234567", "GRJ200-1234567", "Toyota", "Land Cruiser"),  # no dash: known code
]


@pytest.mark.parametrize(("typed", "normalized", "make", "model"), FRAMES)
def test_frame_number_gives_make_and_model_from_its_prefix(typed, normalized, make, model):
    vid = decode(typed)
    assert vid.kind == "frame"
    assert vid.valid and vid.problem is None
    assert vid.normalized == normalized
    assert (vid.make, vid.model) == (make, model)
    assert vid.chassis_code == normalized.split("-")[0]
    assert vid.repaired_from is None


def test_frame_years_are_the_production_range_and_year_is_left_to_ask():
    vid = decode("GRJ200-1234567")
    assert vid.year is None
    assert vid.year_candidates[0] == 2021 and vid.year_candidates[-1] == 2007
    assert vid.engine.startswith("1GR-FE")


def test_open_ended_production_runs_to_next_year():
    vid = decode("VJA300-0012345", this_year=2025)
    assert vid.year_candidates[0] == 2026 and vid.year_candidates[-1] == 2021


def test_unknown_frame_code_is_kept_with_a_warning_so_the_bot_asks_the_make():
    vid = decode("ABC123-1234567")
    assert vid.kind == "frame" and vid.valid
    assert vid.make is None and vid.model is None
    assert vid.warnings


def test_suffixed_model_code_matches_its_family_row():
    vid = decode("URJ202W-4012345")
    assert (vid.make, vid.model) == ("Toyota", "Land Cruiser")


def test_uncertain_rows_carry_their_note():
    vid = decode("Y62-012345")
    assert vid.make == "Nissan" and vid.model == "Patrol"
    assert any("uncertain" in n for n in vid.notes)


@pytest.mark.parametrize(("typed", "code"), [("GRJ200", "GRJ200"), ("grj200l-gntek", "GRJ200L")])
def test_model_code_without_serial_still_names_the_vehicle(typed, code):
    vid = decode(typed)  # the katashiki from the door-jamb plate, or the bare code
    assert vid.kind == "frame" and vid.problem == "format"
    assert (vid.make, vid.model, vid.chassis_code) == ("Toyota", "Land Cruiser", code)


def test_frame_serial_too_short_is_a_format_problem():
    vid = decode("GRJ200-12")
    assert vid.kind == "frame" and not vid.valid and vid.problem == "format"


def test_frame_serial_with_lookalike_letters_is_repaired():
    vid = decode("GRJ200-I23456O")
    assert vid.valid and vid.normalized == "GRJ200-1234560"
    assert vid.repaired_from == "GRJ200-I23456O"


# --------------------------------------------------------------------------- the table
def test_shipped_csv_is_valid_and_has_the_gulf_favourites():
    codes = {c.prefix: c for c in read_csv(DEFAULT_CSV)}
    for prefix in ("GRJ200", "URJ200", "UZJ200", "VDJ200", "GRJ150", "TRJ150", "URJ201", "GSV40",
                   "ACV40", "ASV50", "ZRE142", "NZE141", "KUN25", "GUN125", "NCP91"):
        assert prefix in codes, prefix
    assert sum(c.uncertain for c in codes.values()) > 0  # unconfirmed rows are flagged, not hidden


def _write(tmp_path, body: str):
    path = tmp_path / "codes.csv"
    path.write_text("prefix,make,model,engine,year_from,year_to,note\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("GRJ200,,Land Cruiser,,2007,2021,\n", "line 2: make is empty"),
        ("200GRJ,Toyota,Land Cruiser,,2007,2021,\n", "line 2: prefix"),
        ("GRJ200,Toyota,Land Cruiser,,2021,2007,\n", "line 2: year_from 2021 is after year_to 2007"),
        ("GRJ200,Toyota,Land Cruiser,,20x7,,\n", "line 2: year_from '20x7' is not a year"),
        ("GRJ200,Toyota,A,,,,\nGRJ200,Toyota,B,,,,\n", "line 3: prefix GRJ200 appears twice"),
    ],
)
def test_bad_staff_rows_are_refused_with_the_line_number(tmp_path, row, message):
    with pytest.raises(FrameCodeError, match=message):
        read_csv(_write(tmp_path, row))


def test_staff_row_spelled_loosely_is_canonicalised(tmp_path):
    codes = read_csv(_write(tmp_path, "\nhzj105 ,TOYOTA,Land Cruiser,,1998,2007,added by staff\n"))
    assert codes == [FrameCode("HZJ105", "Toyota", "Land Cruiser", None, 1998, 2007, "added by staff")]


def test_extended_table_is_used_by_decode(tmp_path):
    table = FrameCodeTable(read_csv(_write(tmp_path, "ZZT231,Toyota,Celica,2ZZ-GE,1999,2006,\n")))
    assert decode("ZZT231-0012345", frame_codes=table).model == "Celica"
    assert decode("ZZT231-0012345").model is None  # not in the shipped table


def test_database_rows_override_and_extend_the_csv(session_factory):
    with session_scope(session_factory) as session:
        save_to_db(session, [
            FrameCode("GRJ200", "Toyota", "Land Cruiser", "1GR-FE", 2007, 2021, "confirmed by shop"),
            FrameCode("HZJ105", "Toyota", "Land Cruiser", "1HZ", 1998, 2007, None),
        ])
    with session_scope(session_factory) as session:
        save_to_db(session, [FrameCode("HZJ105", "Toyota", "Land Cruiser", "1HZ 4.2 diesel", 1998, 2007)])
    with session_factory() as session:
        rows = {c.prefix: c for c in read_db(session)}
        table = table_with_db(session)
    assert rows["HZJ105"].engine == "1HZ 4.2 diesel"  # upsert, not a duplicate
    assert len(rows) == 2
    assert table.get("GRJ200").note == "confirmed by shop"
    assert table.get("TRJ150") is not None  # the rest of the CSV is still there
    assert decode("HZJ105-0012345", frame_codes=table).make == "Toyota"
    assert len(table) == len(default_table()) + 1


def test_command_line_check_and_load(tmp_path, monkeypatch, capsys):
    db = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    from sqlalchemy import func, select

    from catalog.schema import FrameCode as FrameCodeRow
    from catalog.schema import metadata
    from shopkernel.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{db}")
    metadata.create_all(engine)
    assert main(["check"]) == 0
    assert "frame codes" in capsys.readouterr().out
    assert main(["load"]) == 0
    with make_session_factory(engine)() as session:
        count = session.execute(select(func.count()).select_from(FrameCodeRow)).scalar()
    assert count == len(default_table())
    bad = _write(tmp_path, "GRJ200,,x,,,,\n")
    assert main(["check", str(bad)]) == 1
    assert "line 2" in capsys.readouterr().out
    engine.dispose()
