"""No customer-visible sentence is written in Python: it belongs in domain.yml or config/customer_copy.yml.

Scans the packages that talk to customers (the actions, the conversation logic, the WhatsApp
connector, the media pipeline, the catalog domain) with Python's own parser and fails on:

* ``dispatcher.utter_message(text=...)`` with a literal: use a response from domain.yml;
* any other string literal that reads like a sentence for a person: four or more words starting
  with a capital letter and ending like a sentence, or two or more Arabic words.

Not counted, because customers never read them: docstrings, log messages, exception texts
(``raise X("...")``), command-line help and output (``help=``, ``typer.echo``, ``print``),
and regular expressions (``re.compile``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from shopkernel.paths import PROJECT_ROOT

CUSTOMER_FACING = ("actions", "conversation", "connectors", "media", "catalog", "shopkernel")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff\u0750-\u077f]{2,}")
_SENTENCE = re.compile(r"^[\"'(«]?[A-Z][^\n]*\s\S+\s\S+\s\S+.*[.!?؟:]\)?[\"»]?$", re.S)
_LOGGERS = {"log", "logger", "logging", "_log", "_logger"}
_DEVELOPER_CALLS = {
    "echo", "print", "secho", "add_argument", "Option", "Argument", "compile", "fail", "_fail",
}  # fmt: skip

# Text for machines or sample data, not for customers: (file, start of the text) and why.
NOT_FOR_CUSTOMERS = {
    ("media/settings.py", "A customer of a car-parts shop"),  # prompt for the speech-to-text model
}
NOT_SCANNED = {"catalog/sample.py"}  # generates a sample catalog: Arabic part names are data


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _is_developer_call(call: ast.Call) -> bool:
    func = call.func
    name = _call_name(call)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in _LOGGERS:
        return True  # log.info("..."), logger.warning("...")
    return name in _DEVELOPER_CALLS or name.endswith(("Error", "Exception", "Exit", "Warning"))


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _developer_strings(tree: ast.AST) -> set[int]:
    """Constants inside log calls, raise statements, CLI help and output, regexes."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        inside: list[ast.AST] = []
        if isinstance(node, ast.Raise) and node.exc is not None:
            inside.append(node.exc)
        elif isinstance(node, ast.Call) and _is_developer_call(node):
            inside.append(node)
        elif isinstance(node, ast.keyword) and node.arg in {"help", "description", "epilog"}:
            inside.append(node.value)
        elif isinstance(node, ast.Assert):
            inside.append(node)
        for part in inside:
            ids.update(id(n) for n in ast.walk(part))
    return ids


def looks_like_copy(text: str) -> bool:
    """A sentence a person would read, in English or Arabic."""
    text = text.strip()
    if "(?" in text or text.startswith("^"):  # a regular expression
        return False
    if len(_ARABIC_WORD.findall(text)) >= 2:
        return True
    return bool(_SENTENCE.match(text)) and "{" not in text[:1]


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # f-string: its literal parts with a placeholder between
        return "x".join(v.value for v in node.values if isinstance(v, ast.Constant)) or None
    return None


def offenders_in(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _docstrings(tree) | _developer_strings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) == "utter_message":
            for kw in node.keywords:
                if kw.arg == "text" and _literal_text(kw.value) is not None:
                    found.append((node.lineno, f"utter_message(text={_literal_text(kw.value)!r})"))
                    skip.update(id(n) for n in ast.walk(kw.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)
            if id(node) in skip:
                continue
        elif not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
            continue
        text = _literal_text(node)
        if text and looks_like_copy(text):
            found.append((node.lineno, text.strip()[:80]))
    return found


def _python_files() -> list[Path]:
    files: list[Path] = []
    for package in CUSTOMER_FACING:
        files += sorted(p for p in (PROJECT_ROOT / package).rglob("*.py") if "migrations" not in p.parts)
    return [p for p in files if str(p.relative_to(PROJECT_ROOT)) not in NOT_SCANNED]


def test_no_customer_sentence_is_written_in_python():
    found = []
    for path in _python_files():
        rel = str(path.relative_to(PROJECT_ROOT))
        found += [
            (rel, line, text)
            for line, text in offenders_in(path)
            if not any(rel == f and text.startswith(start) for f, start in NOT_FOR_CUSTOMERS)
        ]
    assert not found, (
        "Customer-visible text in Python code. Put Rasa replies in domain.yml (responses) and the "
        "connector's/media's/chassis checks' texts in config/customer_copy.yml (EN + AR), then refer "
        "to them by name:\n" + "\n".join(f"  {rel}:{line}: {text}" for rel, line, text in found)
    )


@pytest.mark.parametrize(
    "source",
    [
        'dispatcher.utter_message(text="Sorry, we are closed today.")',
        'REPLY = "Please send a photo of your registration card."',
        'REPLY = f"Sorry, {name}, that part is out of stock."',
        'REPLY = "عذراً، القطعة غير متوفرة"',
        'def f():\n    return "Which year is your car? Please type it."',
    ],
)
def test_the_scan_catches_copy(tmp_path, source):
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert offenders_in(path)


@pytest.mark.parametrize(
    "source",
    [
        'log.warning("Could not send the message to the customer after 3 attempts.")',
        'raise ValueError("The year must be a number between 1950 and 2027.")',
        'def f():\n    """Answer the customer in their language, always politely."""',
        'parser.add_argument("--out", help="Write the report to this file, then exit.")',
        'PATTERN = re.compile(r"(?:model|موديل) (\\d+)")',
        'INTENT = "/inform"',
        'KEY = "connector.unsupported_type"',
        'assert x == "This is what the test expects to see."',
    ],
)
def test_the_scan_leaves_developer_text_alone(tmp_path, source):
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert offenders_in(path) == []
