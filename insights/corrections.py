"""Reviewed NLU examples: a designer's correction of one message, written in Rasa's format.

A correction (the right intent, entity spans with canonical values) is appended to
``data/nlu/reviewed.yml``, a normal Rasa NLU file that training picks up with the rest of
``data/``. Before writing, every example in ``data/nlu`` is read:

* the same text (case and spacing aside) with the same intent → a duplicate, nothing written;
* the same text with another intent, anywhere → a conflict, reported with the file and the
  other intent, nothing written (two intents for one sentence would make the model worse);
* otherwise the example is added under its intent (one block per intent, the file rewritten
  whole so it stays tidy) and the correction is logged in ``var/review/corrections.jsonl``.

The log is what batches are made of: :func:`patch_for` turns any set of logged corrections
into a unified diff of ``data/nlu/reviewed.yml`` that ``git apply`` takes, for a pull request.
"""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from insights.annotations import Span, annotate, check_spans, normalise_example, parse_example

REVIEWED_FILE = "reviewed.yml"
HEADER = (
    "# Flow: all flows - examples corrected by designers in the conversation review (issue 16,\n"
    "# docs/review.md). Written by the staff console and `catalog_loader review`; edit freely,\n"
    "# but keep one example per line. An example here must not repeat one of another file.\n"
)


class CorrectionError(ValueError):
    """A correction that cannot be saved: unknown intent or entity, bad spans."""


@dataclass
class Correction:
    """One customer message as it should have been understood."""

    text: str
    intent: str
    spans: list[Span] = field(default_factory=list)
    conversation: str | None = None
    event_index: int | None = None
    reviewer: str | None = None
    saved_at: float = field(default_factory=time.time)

    @property
    def example(self) -> str:
        return annotate(self.text, self.spans)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["spans"] = [asdict(s) for s in self.spans]
        data["example"] = self.example
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Correction:
        spans = [Span(**s) for s in data.get("spans") or []]
        return cls(
            text=data["text"],
            intent=data["intent"],
            spans=spans,
            conversation=data.get("conversation"),
            event_index=data.get("event_index"),
            reviewer=data.get("reviewer"),
            saved_at=float(data.get("saved_at") or 0.0),
        )


@dataclass(frozen=True)
class ExistingExample:
    intent: str
    example: str
    file: str


@dataclass
class SaveResult:
    """``added``, ``duplicate`` or ``conflict`` (then ``conflicts`` says with what)."""

    status: str
    example: str
    conflicts: list[ExistingExample] = field(default_factory=list)

    @property
    def written(self) -> bool:
        return self.status == "added"


@dataclass(frozen=True)
class DomainNames:
    """The intents and entities a correction may use (from domain.yml)."""

    intents: tuple[str, ...]
    entities: tuple[str, ...]

    @classmethod
    def load(cls, domain_path: Path) -> DomainNames:
        data = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
        return cls(tuple(_names(data.get("intents"))), tuple(_names(data.get("entities"))))


class ReviewedExamples:
    """The reviewed-examples file, the rest of ``data/nlu`` to check against, and the log."""

    def __init__(self, nlu_dir: Path, domain: DomainNames, log_path: Path) -> None:
        self.nlu_dir = nlu_dir
        self.domain = domain
        self.path = nlu_dir / REVIEWED_FILE
        self.log_path = log_path

    # ---------------------------------------------------------------- checking
    def check(self, correction: Correction) -> SaveResult:
        """What saving would do, without writing anything."""
        self._validate(correction)
        example = correction.example
        key = normalise_example(correction.text)
        same_text = [e for e in self.existing() if normalise_example(parse_example(e.example)[0]) == key]
        conflicts = [e for e in same_text if e.intent != correction.intent]
        if conflicts:
            return SaveResult("conflict", example, conflicts)
        if same_text:
            return SaveResult("duplicate", example, same_text)
        return SaveResult("added", example)

    def save(self, correction: Correction) -> SaveResult:
        """Append the example unless it is a duplicate or conflicts; log what was added."""
        result = self.check(correction)
        if not result.written:
            return result
        blocks = read_blocks(self.path)
        blocks.setdefault(correction.intent, []).append(result.example)
        write_text_atomically(self.path, render_blocks(blocks))
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as log:
            log.write(json.dumps(correction.to_json(), ensure_ascii=False) + "\n")
        return result

    def existing(self) -> list[ExistingExample]:
        """Every intent example in ``data/nlu`` (all files, the reviewed one included)."""
        found = []
        for path in sorted(self.nlu_dir.rglob("*.yml")):
            relative = str(path.relative_to(self.nlu_dir.parent.parent))
            for intent, examples in read_blocks(path).items():
                found += [ExistingExample(intent, example, relative) for example in examples]
        return found

    def logged(self, since: float | None = None, conversation: str | None = None) -> list[Correction]:
        """Saved corrections from the log, oldest first."""
        if not self.log_path.exists():
            return []
        out = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                correction = Correction.from_json(json.loads(line))
                if (since is None or correction.saved_at >= since) and (
                    conversation is None or correction.conversation == conversation
                ):
                    out.append(correction)
        return out

    def _validate(self, correction: Correction) -> None:
        if not correction.text.strip():
            raise CorrectionError("the message is empty")
        if correction.text.lstrip().startswith("/"):
            raise CorrectionError("a tapped button (/intent payload) is not a training example")
        if correction.intent not in self.domain.intents:
            raise CorrectionError(f"unknown intent {correction.intent!r}")
        for span in correction.spans:
            if span.entity not in self.domain.entities:
                raise CorrectionError(f"unknown entity {span.entity!r}")
        check_spans(correction.text, correction.spans)


def patch_for(corrections: Iterable[Correction], reviewed_path: Path, repo_root: Path) -> str:
    """A unified diff that adds these corrections to the reviewed file, for ``git apply``.

    The "before" side is the current file without these examples, so the patch applies to a
    checkout that does not have them yet, wherever the console that saved them runs.
    """
    corrections = list(corrections)
    current = read_blocks(reviewed_path)
    added = {(c.intent, c.example) for c in corrections}
    before = {i: [e for e in ex if (i, e) not in added] for i, ex in current.items()}
    before = {i: ex for i, ex in before.items() if ex}
    after = {i: list(ex) for i, ex in before.items()}
    for correction in corrections:
        if correction.example not in after.setdefault(correction.intent, []):
            after[correction.intent].append(correction.example)
    old_text = render_blocks(before) if before else ""
    new_text = render_blocks(after)
    name = str(reviewed_path.relative_to(repo_root))
    old_name = f"a/{name}" if before else "/dev/null"  # the batch creates the file
    diff = difflib.unified_diff(
        old_text.splitlines(keepends=True), new_text.splitlines(keepends=True), old_name, f"b/{name}"
    )
    return "".join(diff)


def read_blocks(path: Path) -> dict[str, list[str]]:
    """``intent -> examples`` of one Rasa NLU YAML file (regexes, lookups, synonyms skipped)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    blocks: dict[str, list[str]] = {}
    for item in data.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            blocks.setdefault(str(item["intent"]), []).extend(_example_lines(item.get("examples")))
    return blocks


def render_blocks(blocks: dict[str, list[str]]) -> str:
    lines = [HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for intent, examples in blocks.items():
        if not examples:
            continue
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {example}" for example in examples]
    return "\n".join(lines) + "\n"


def write_text_atomically(path: Path, text: str) -> None:
    """Write a file so that a crash leaves either the old or the new content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _example_lines(examples: Any) -> list[str]:
    if isinstance(examples, str):
        return [line.strip()[2:].strip() for line in examples.splitlines() if line.strip().startswith("- ")]
    if isinstance(examples, list):  # the detailed form: [{text: ..., metadata: ...}]
        return [str(e.get("text") if isinstance(e, dict) else e).strip() for e in examples]
    return []


def _names(items: Any) -> list[str]:
    names = []
    for item in items or []:
        names.append(next(iter(item)) if isinstance(item, dict) else str(item))
    return names
