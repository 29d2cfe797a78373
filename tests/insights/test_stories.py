"""'Save as test story': recorded conversations written as Rasa test stories, read by Rasa itself.

The fast tests read the written file with Rasa's own story reader; the slow one runs
``rasa data validate`` and ``rasa test core --fail-on-prediction-errors`` on the stories of
every recorded conversation with the project's trained model.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from insights.annotations import Span
from insights.corrections import Correction, DomainNames, ReviewedExamples
from insights.stories import story_path, story_steps, write_story
from tests.insights.conftest import RECORDED, recorded

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).with_name("rasa"))


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def rasa_events(path: Path, domain: Domain) -> list:
    [step] = YAMLStoryReader(domain).read_from_file(str(path))
    return step.events


def test_story_reads_back_in_rasa_with_intents_entities_and_actions(tmp_path, domain):
    path = write_story(recorded("happy_en"), tmp_path, note="happy path")
    assert path.parent == tmp_path / "reviewed" and path.name.startswith("test_9715xxxx0101_")
    story = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert story["stories"][0]["story"].startswith("reviewed 9715****0101 ")  # the phone number is masked
    events = rasa_events(path, domain)
    users = [e for e in events if isinstance(e, UserUttered)]
    assert [u.intent_name for u in users] == [
        "greet",
        "request_part",
        "inform",
        "inform",
        "choose_part",
        "thank",
    ]
    assert [(e["entity"], e["value"]) for e in users[3].entities] == [
        ("model", "land cruiser"),
        ("year", "2015"),
    ]
    actions = [e.action_name for e in events if isinstance(e, ActionExecuted)]
    assert actions == ["utter_greet", "part_form", "part_form", "part_form", "action_search_parts",
                       "action_choose_part", "utter_you_are_welcome"]  # fmt: skip


def test_designer_correction_replaces_what_the_nlu_understood(tmp_path, domain):
    conversation = recorded("asked_twice")
    wrong = next(t for t in conversation.turns if t.text == "the red one")
    assert wrong.intent == "choose_part"
    fix = Correction("the red one", "inform", [], conversation.key, wrong.event_index)
    spans = [Span(0, 12, "model", "Land Cruiser"), Span(13, 17, "year")]
    fix_later = Correction(
        "land cruiser 2016", "inform", spans, conversation.key, conversation.turns[-1].event_index
    )
    path = write_story(conversation, tmp_path, {wrong.event_index: fix, fix_later.event_index: fix_later})
    users = [e for e in rasa_events(path, domain) if isinstance(e, UserUttered)]
    assert [u.intent_name for u in users] == ["request_part", "inform", "inform", "inform"]
    assert [(e["entity"], e["value"]) for e in users[3].entities] == [
        ("model", "Land Cruiser"),
        ("year", "2016"),
    ]


def test_rephrased_message_is_written_as_rasa_applied_it():
    steps = story_steps(recorded("rephrased"))
    users = [s for s in steps if "user" in s]
    assert len(users) == 1 and users[0]["intent"] == "request_part" and "oman" not in users[0]["user"]
    assert {"action": "action_rephrase_fallback"} not in steps


def test_story_stops_when_a_person_takes_over():
    steps = story_steps(recorded("handoff"))
    assert steps[-1] == {"action": "action_handoff"}
    assert not any("hello?" in s.get("user", "") for s in steps)


def test_restart_spells_out_the_closed_form():
    steps = story_steps(recorded("restart"))
    assert steps[-2:] == [{"action": "action_restart"}, {"active_loop": None}]


def test_two_customers_with_the_same_masked_number_get_two_files(tmp_path):
    one = recorded("happy_en")
    other = recorded("happy_en")
    other.sender_id = "971511111101"  # same first 4 and last 3 digits
    assert story_path(one, tmp_path) != story_path(other, tmp_path)


@pytest.mark.rasa
@pytest.mark.slow
@pytest.mark.timeout(3600)  # may train the model first (minutes on a busy machine)
def test_rasa_validates_and_passes_the_saved_stories_and_corrections(tmp_path):
    """``rasa data validate`` on the project with reviewed examples and saved stories added, then
    ``rasa test core --fail-on-prediction-errors`` on the stories of every recorded conversation."""
    from ops.model import ensure_model

    project = tmp_path / "project"
    shutil.copytree(ROOT / "data", project / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, project / name)
    examples = ReviewedExamples(
        project / "data" / "nlu", DomainNames.load(project / "domain.yml"), tmp_path / "log"
    )
    conversation = recorded("asked_twice")
    red_one = next(t for t in conversation.turns if t.text == "the red one")
    fixes = {
        red_one.event_index: Correction("the red one", "inform", [], conversation.key, red_one.event_index),
    }
    assert examples.save(fixes[red_one.event_index]).written
    spans = [Span(4, 10, "part", "Brake Pads"), Span(11, 17, "model", "Patrol"), Span(18, 22, "year")]
    assert examples.save(Correction("abi fa7mat patrol 2018", "request_part", spans)).written
    stories = project / "tests" / "stories"
    for fixture in sorted(RECORDED.glob("*.json")):
        one = recorded(fixture.stem)
        write_story(one, stories, fixes if one.key == conversation.key else None, note=fixture.stem)
    env = {"RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "PATH": "/usr/bin:/bin"}
    validate = subprocess.run(
        [RASA, "data", "validate", "--data", "data", "tests/stories", "--domain", "domain.yml",
         "--config", "config.yml", "--max-history", "4"],
        cwd=project, env=env, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    output = validate.stdout + validate.stderr
    assert validate.returncode == 0, output[-4000:]
    assert "No story structure conflicts found" in output and "reviewed.yml" not in output, output[-4000:]
    test = subprocess.run(
        [sys.executable, "-m", "ops.rasa_cli", "test", "core", "--model", str(ensure_model(quiet=True)),
         "--stories", "tests/stories",
         "--fail-on-prediction-errors", "--no-plot", "--out", str(tmp_path / "core")],
        cwd=project, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert test.returncode == 0, (test.stdout + test.stderr)[-4000:]
    assert "None of the test stories failed" in (tmp_path / "core" / "failed_test_stories.yml").read_text()
