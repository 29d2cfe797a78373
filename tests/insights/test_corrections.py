"""Reviewed NLU examples: appended in Rasa's format, no duplicates, conflicts reported, patches."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from insights.annotations import Span
from insights.corrections import Correction, CorrectionError, DomainNames, ReviewedExamples, patch_for

ROOT = Path(__file__).resolve().parents[2]


def project_copy(where: Path) -> Path:
    """The project's real NLU data and domain in a temp folder (the tests write into it)."""
    shutil.copytree(ROOT / "data" / "nlu", where / "data" / "nlu")
    shutil.copy(ROOT / "domain.yml", where / "domain.yml")
    return where


@pytest.fixture
def project(tmp_path) -> Path:
    return project_copy(tmp_path / "project")


def examples_in(project: Path) -> ReviewedExamples:
    domain = DomainNames.load(project / "domain.yml")
    return ReviewedExamples(
        project / "data" / "nlu", domain, project / "var" / "review" / "corrections.jsonl"
    )


def fixed(text: str, intent: str, *spans: Span, key: str = "971500000110:1", event: int = 19) -> Correction:
    return Correction(text, intent, list(spans), key, event, "designer")


def test_correction_is_appended_in_rasa_format_and_rasa_trains_on_it(project):
    reviewed = examples_in(project)
    text = "the red one, land cruiser 2016"
    result = reviewed.save(fixed(text, "inform", Span(13, 25, "model", "Land Cruiser"), Span(26, 30, "year")))
    assert result.status == "added"
    arabic = "ابغى كفرات برادو ٢٠١٨"
    assert reviewed.save(
        fixed(arabic, "request_part", Span(5, 10, "part", "Tyres"), Span(11, 16, "model", "Prado"))
    )
    data = load_data(str(project / "data" / "nlu" / "reviewed.yml"))
    by_text = {m.get("text"): m for m in data.intent_examples}
    assert by_text[text].get("intent") == "inform"
    assert [(e["entity"], e["value"]) for e in by_text[text].get("entities")] == [
        ("model", "Land Cruiser"), ("year", "2016"),
    ]  # fmt: skip
    assert by_text[arabic].get("intent") == "request_part"
    assert [e["value"] for e in by_text[arabic].get("entities")] == ["Tyres", "Prado"]
    assert [c.text for c in reviewed.logged()] == [text, arabic]


def test_same_example_again_is_a_duplicate_and_nothing_changes(project):
    reviewed = examples_in(project)
    reviewed.save(fixed("need pads for the patrol pls", "request_part", Span(5, 9, "part")))
    before = reviewed.path.read_text(encoding="utf-8")
    again = reviewed.save(fixed("Need  PADS for the patrol pls", "request_part", Span(6, 10, "part")))
    assert again.status == "duplicate" and not again.written
    assert reviewed.path.read_text(encoding="utf-8") == before
    assert len(reviewed.logged()) == 1


def test_example_already_in_the_training_data_is_a_duplicate(project):
    result = examples_in(project).save(fixed("i need brake pads", "request_part"))
    assert result.status == "duplicate" and result.conflicts[0].file == "data/nlu/parts.yml"
    assert not (project / "data" / "nlu" / "reviewed.yml").exists()


def test_same_text_under_another_intent_is_a_conflict_shown_not_written(project):
    result = examples_in(project).save(fixed("I need brake pads", "inform"))
    assert result.status == "conflict"
    [other] = result.conflicts
    assert (other.intent, other.file, other.example) == (
        "request_part",
        "data/nlu/parts.yml",
        "i need brake pads",
    )
    assert not (project / "data" / "nlu" / "reviewed.yml").exists()


@pytest.mark.parametrize(
    ("correction", "problem"),
    [
        (Correction("need pads", "buy_now"), "unknown intent"),
        (Correction("need pads", "inform", [Span(5, 9, "colour")]), "unknown entity"),
        (Correction("   ", "inform"), "empty"),
        (Correction('/choose_part{"sku":"X"}', "choose_part"), "tapped button"),
    ],
)
def test_bad_corrections_are_refused_with_the_reason(project, correction, problem):
    with pytest.raises(CorrectionError, match=problem):
        examples_in(project).save(correction)


def test_batch_patch_applies_to_a_checkout_without_the_corrections(project, tmp_path):
    checkout = project_copy(tmp_path / "checkout")  # a designer's git checkout, before the review
    reviewed = examples_in(project)
    reviewed.save(fixed("yalla abi fa7mat lc 2015", "request_part", Span(10, 16, "part", "Brake Pads")))
    reviewed.save(fixed("it is the 2016 one", "inform", Span(10, 14, "year")))
    patch = patch_for(reviewed.logged(), reviewed.path, project)
    assert patch.startswith("--- /dev/null\n+++ b/data/nlu/reviewed.yml")
    (tmp_path / "reviewed.patch").write_text(patch, encoding="utf-8")
    subprocess.run(["git", "apply", str(tmp_path / "reviewed.patch")], cwd=checkout, check=True)
    assert (checkout / "data/nlu/reviewed.yml").read_text() == reviewed.path.read_text()


def test_patch_of_a_later_batch_applies_on_top_of_the_earlier_one(project, tmp_path):
    reviewed = examples_in(project)
    reviewed.save(fixed("first one pls", "choose_part"))
    checkout = tmp_path / "checkout"
    shutil.copytree(project, checkout)  # the first batch is merged already
    reviewed.save(fixed("the second please", "choose_part"))
    later = [c for c in reviewed.logged() if c.text == "the second please"]
    (tmp_path / "b.patch").write_text(patch_for(later, reviewed.path, project), encoding="utf-8")
    subprocess.run(["git", "apply", str(tmp_path / "b.patch")], cwd=checkout, check=True)
    assert (checkout / "data/nlu/reviewed.yml").read_text() == reviewed.path.read_text()
