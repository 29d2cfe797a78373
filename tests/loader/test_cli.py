"""``python -m catalog_loader``: help, outputs (rejects CSV, JSON report) and exit codes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog_loader.cli import app
from shopkernel.paths import PROJECT_ROOT
from tests.loader.helpers import HEADER, parts_by_sku

runner = CliRunner()

GOOD_ROW = (
    "TY-1,Front Brake Pads,Brake Pads,Toyota Genuine,04465-60320,04465-60320,"
    "Toyota,Land Cruiser,2008,2021,,350,4,genuine"
)
BAD_ROW = (
    "TY-2,Rear Brake Pads,Brake Pads,Toyota Genuine,04466-60090,,Toyota,Land Cruiser,2021,2008,,300,4,genuine"
)
ARABIC_BAD_ROW = "AR-9,فلتر زيت,Oil Filter,Denso,X1,,Toyota,Camry,2012,2017,,غالي,4,oem"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["import"], ["sample"], ["init-db"], ["stats"]])
def test_every_command_has_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_module_runs_as_a_program():
    proc = subprocess.run(
        [sys.executable, "-m", "catalog_loader", "--help"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0
    for command in ("import", "sample", "init-db", "stats"):
        assert command in proc.stdout


def test_import_writes_rejects_next_to_the_file_and_a_json_report(migrated_url, write_csv, tmp_path):
    path = write_csv(f"{HEADER}\n{GOOD_ROW}\n{BAD_ROW}\n{ARABIC_BAD_ROW}\n", name="stock.csv")
    report = tmp_path / "out" / "report.json"

    result = invoke("import", str(path), "--report", str(report), "--database-url", migrated_url)

    assert result.exit_code == 0, result.output
    assert "line 3: year_from 2021 is after year_to 2008" in result.output
    rejects_path = tmp_path / "stock.csv.rejects.csv"
    with rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*HEADER.split(","), "line", "reason"]
    assert rows[1][:14] == BAD_ROW.split(",") and rows[1][14:] == [
        "3",
        "year_from 2021 is after year_to 2008",
    ]
    assert rows[2][1] == "فلتر زيت" and rows[2][14:] == ["4", "price_aed 'غالي' is not a number"]

    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"]["rows_read"] == 3
    assert data["summary"]["parts_inserted"] == 1
    assert data["summary"]["rows_rejected"] == 2
    assert data["rejects"][0]["line"] == 3
    assert data["rejects"][0]["values"]["sku"] == "TY-2"
    assert data["rejects"][1]["values"]["name"] == "فلتر زيت"
    assert "password" not in data["database"]

    assert set(parts_by_sku_url(migrated_url)) == {"TY-1"}


def parts_by_sku_url(url: str) -> dict:
    from shopkernel.db import make_engine

    engine = make_engine(url)
    try:
        return parts_by_sku(engine)
    finally:
        engine.dispose()


def test_rejects_option_and_dry_run(migrated_url, write_csv, tmp_path):
    path = write_csv(f"{HEADER}\n{GOOD_ROW}\n{BAD_ROW}\n")
    invoke("init-db", "--database-url", migrated_url)
    rejects = tmp_path / "bad-rows.csv"

    result = invoke(
        "import", str(path), "--dry-run", "--rejects", str(rejects), "--database-url", migrated_url
    )

    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    assert rejects.exists()
    assert parts_by_sku_url(migrated_url) == {}


def test_semicolon_file_with_map_file(migrated_url, write_csv, tmp_path):
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("Item Code: sku\nDescription: name\nGroup: category\nFits: years\n", encoding="utf-8")
    path = write_csv(
        "Item Code;Description;Group;Brand;Make;Model;Fits;Price;Condition\n"
        "X-1;Oil Filter;Oil Filter;Sakura;Nissan;Patrol;2010-2024;AED 35;aftermarket\n"
    )
    result = invoke("import", str(path), "--map-file", str(mapping), "--database-url", migrated_url)
    assert result.exit_code == 0, result.output
    part = parts_by_sku_url(migrated_url)["X-1"]
    assert part["fitments"] == {("Nissan", "Patrol", 2010, 2024, "")}


# --------------------------------------------------------------------------- exit codes
def test_exit_1_when_nothing_valid(migrated_url, write_csv):
    result = invoke("import", str(write_csv(f"{HEADER}\n{BAD_ROW}\n")), "--database-url", migrated_url)
    assert result.exit_code == 1
    assert "nothing was loaded" in result.output


def test_exit_2_for_a_bad_mapping(write_csv, tmp_path):
    path = write_csv(f"{HEADER}\n{GOOD_ROW}\n")
    result = invoke(
        "import", str(path), "--map", "Item Code=article", "--database-url", f"sqlite:///{tmp_path}/x.db"
    )
    assert result.exit_code == 2
    assert "unknown field 'article'" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"PK\x03\x04zipped", "Excel workbook"),
        (b"name,price\nPads,10\n", "missing required column(s): sku"),
        (HEADER.encode() + b"\nA,Pi\xe8ce\n", "not UTF-8"),
    ],
)
def test_exit_3_for_an_unreadable_file(tmp_path, content, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    result = invoke("import", str(path), "--database-url", f"sqlite:///{tmp_path}/x.db")
    assert result.exit_code == 3
    assert message in result.output
    assert "Traceback" not in result.output


def test_exit_4_when_the_database_is_unreachable(write_csv):
    path = write_csv(f"{HEADER}\n{GOOD_ROW}\n")
    result = invoke("import", str(path), "--database-url", "postgresql://postgres@127.0.0.1:1/nowhere")
    assert result.exit_code == 4
    assert "not usable" in result.output


def test_exit_4_for_a_dry_run_on_a_database_without_tables(write_csv, tmp_path):
    path = write_csv(f"{HEADER}\n{GOOD_ROW}\n")
    result = invoke("import", str(path), "--dry-run", "--database-url", f"sqlite:///{tmp_path}/empty.db")
    assert result.exit_code == 4
    assert "init-db" in result.output


def test_init_db_then_stats(migrated_url, write_csv):
    assert invoke("init-db", "--database-url", migrated_url).exit_code == 0
    assert (
        invoke("import", str(write_csv(f"{HEADER}\n{GOOD_ROW}\n")), "--database-url", migrated_url).exit_code
        == 0
    )
    result = invoke("stats", "--database-url", migrated_url)
    assert result.exit_code == 0
    lines = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in result.output.splitlines()
             if line.count("│") == 3}  # fmt: skip
    assert lines["parts"] == "1" and lines["fitments"] == "1" and lines["makes"] == "1"


def test_stats_parts_only_tells_the_run_command_whether_the_catalog_is_empty(migrated_url, write_csv):
    assert invoke("init-db", "--database-url", migrated_url).exit_code == 0
    assert invoke("stats", "--parts-only", "--database-url", migrated_url).output.strip() == "0"
    invoke("import", str(write_csv(f"{HEADER}\n{GOOD_ROW}\n")), "--database-url", migrated_url)
    assert invoke("stats", "--parts-only", "--database-url", migrated_url).output.strip() == "1"


def test_sample_command_writes_the_requested_rows(tmp_path):
    out = tmp_path / "sample.csv"
    result = invoke("sample", "--rows", "250", "--out", str(out), "--seed", "3")
    assert result.exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and len(lines) == 251
    assert invoke("sample", "--rows", "0", "--out", str(out)).exit_code == 2


def test_database_url_defaults_to_the_environment(write_csv, tmp_path, monkeypatch):
    db = tmp_path / "from-env.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    result = invoke("import", str(write_csv(f"{HEADER}\n{GOOD_ROW}\n")))
    assert result.exit_code == 0, result.output
    assert Path(db).exists()
