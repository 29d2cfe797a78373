"""The review's command-line twin: list, show, correct, export corrections, story, analytics CSV."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from catalog_loader import review_cli
from catalog_loader.cli import app
from insights.store import EVENTS
from tests.insights.conftest import recent_rows, recorded

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()  # click 8.2+: stdout and stderr apart


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's NLU data and domain, and a tracker store of the recorded conversations."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data" / "nlu", root / "data" / "nlu")
    shutil.copy(ROOT / "domain.yml", root / "domain.yml")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    EVENTS.create(engine)
    with engine.begin() as conn:
        conn.execute(EVENTS.insert(), recent_rows())
    engine.dispose()
    monkeypatch.setattr(review_cli, "PROJECT", root)
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'no-catalog.db'}")
    return root


def run(*args: str):
    return runner.invoke(app, ["review", *args])


def test_list_shows_flagged_conversations_and_counts_per_marker(project):
    result = run("list")
    assert result.exit_code == 0, result.stderr
    assert "8 of 12 flagged" in result.stdout and "971500000110:1" in result.stdout
    assert "971500000101:1" not in result.stdout  # the smooth conversation is not in the queue
    assert "NLU fallback: 2" in result.stdout and "Abandoned before results: 2" in result.stdout
    only = run("list", "--marker", "handoff")
    assert "971500000105:1" in only.stdout and "971500000110:1" not in only.stdout
    arabizi = run("list", "--all", "--language", "arabizi")
    assert "971500000103:1" in arabizi.stdout and "971500000101:1" not in arabizi.stdout


def test_show_prints_intents_entities_actions_and_slots(project):
    result = run("show", "971500000110:1")
    assert result.exit_code == 0
    assert "#3 event 19: the red one" in result.stdout and "intent choose_part" in result.stdout
    assert "model='Land Cruiser' ('land cruiser')" in result.stdout and "asked_twice" in result.stdout


def test_correct_then_export_the_batch_as_a_patch(project, tmp_path):
    done = run("correct", "971500000110:1", "19", "--intent", "inform")
    assert done.exit_code == 0, done.stderr
    assert (project / "data/nlu/reviewed.yml").read_text(encoding="utf-8").count("- the red one") == 1
    again = run("correct", "971500000110:1", "19", "--intent", "inform")
    assert again.exit_code == review_cli.EXIT_NOT_WRITTEN and "duplicate" in again.stderr
    need_pads = recorded("happy_en").turns[1]  # "need brake pads", a request_part example in parts.yml
    conflict = run("correct", "971500000101:1", str(need_pads.event_index), "--intent", "inform")
    assert conflict.exit_code == review_cli.EXIT_NOT_WRITTEN
    assert "data/nlu/parts.yml: intent request_part" in conflict.stderr
    patch = run("export-corrections", "--out", str(tmp_path / "reviewed.patch"))
    assert patch.exit_code == 0
    text = (tmp_path / "reviewed.patch").read_text(encoding="utf-8")
    assert "+++ b/data/nlu/reviewed.yml" in text and "+    - the red one" in text


def test_correct_with_an_entity_span_and_canonical_value(project):
    # "abi fa7mat patrol 2018"
    spans = ["--entity", "4:10:part:Brake Pads", "--entity", "11:17:model:Patrol", "--entity", "18:22:year"]
    result = run("correct", "971500000103:1", "4", "--intent", "request_part", *spans)
    assert result.exit_code == 0, result.stderr
    written = (project / "data/nlu/reviewed.yml").read_text(encoding="utf-8")
    part = '[fa7mat]{"entity": "part", "value": "Brake Pads"}'
    assert f'- abi {part} [patrol]{{"entity": "model", "value": "Patrol"}} [2018](year)' in written


def test_story_is_written_into_the_projects_test_stories(project):
    result = run("story", "971500000104:1", "--note", "year corrected")
    assert result.exit_code == 0, result.stderr
    [path] = (project / "tests" / "stories" / "reviewed").glob("*.yml")
    assert "year corrected" in path.read_text(encoding="utf-8")


def test_analytics_table_as_csv(project):
    result = run("analytics", "funnel", "--grain", "all")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["conversations"] == "12" and rows[0]["results_shown"] == "7"
    assert "Leads unavailable" in result.stderr  # no catalog database: said, not hidden
    demand = list(csv.DictReader(io.StringIO(run("analytics", "not_found").stdout)))
    assert [(r["part"], r["make"], r["model"], r["conversations"]) for r in demand] == [
        ("Battery", "Honda", "CR-V", "1")
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("list", "--marker", "bogus"), 2, "unknown marker"),
        (("list", "--since", "yesterday"), 2, "must be a date"),
        (("show", "971500000110:9"), 6, "no conversation"),
        (("correct", "971500000110:1", "3", "--intent", "inform"), 6, "no customer message at event 3"),
        (("correct", "971500000110:1", "19", "--intent", "buy_now"), 2, "unknown intent"),
        (("correct", "971500000110:1", "19", "--intent", "inform", "--entity", "x"), 2, "start:end:entity"),
        (("analytics", "profit"), 2, "unknown table"),
    ],
)
def test_bad_input_is_a_clear_error(project, args, code, message):
    result = run(*args)
    assert result.exit_code == code and message in result.stderr


def test_missing_tracker_store_is_a_clear_error(project, monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'nothing.db'}")
    result = run("list")
    assert result.exit_code == review_cli.EXIT_STORE and "has the assistant run yet" in result.stderr
