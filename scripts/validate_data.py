"""``rasa data validate --fail-on-warnings``, minus one false alarm: responses uttered by actions.

    .venv/bin/python scripts/validate_data.py

Rasa's validator warns "The utterance 'utter_x' is not used in any story or rule" for every
response that only custom actions or forms send (``utter_ask_<slot>``, ``utter_results``...).
With --fail-on-warnings those warnings make a correct project fail, and ignoring warnings hides
real problems. This runs the same checks as ``rasa data validate`` and fails on every warning,
except that a response counts as used when a form asks with it (``utter_ask_<slot>``), Rasa
sends it itself (``utter_restart``, ``utter_default``), or an action's code names it. A response
nothing uses still fails. Likewise an intent may lack NLU examples only if it is one of the media
pipeline's payload intents (``/chassis_photo{...}``, ``/unreadable_photo``).
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

UNUSED = re.compile(r"The utterance '(utter_[\w/]+)' is not used in any story or rule\.")
RASA_OWN = {"utter_restart", "utter_default"}
NO_NLU_DATA = re.compile(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU")
# Intents only ever sent as payloads by the media pipeline (media/), never typed: no NLU examples.
PAYLOAD_ONLY_INTENTS = {"chassis_photo", "unreadable_photo"}


def responses_named_in_code(root: Path = ROOT) -> set[str]:
    names: set[str] = set()
    for path in [*(root / "actions").rglob("*.py"), *(root / "conversation").rglob("*.py")]:
        names |= set(re.findall(r"[\"'](utter_\w+)[\"']", path.read_text(encoding="utf-8")))
    return names


def main() -> int:
    from rasa.shared.importers.importer import TrainingDataImporter
    from rasa.validator import Validator

    os.chdir(ROOT)
    importer = TrainingDataImporter.load_from_config("config.yml", "domain.yml", ["data"])
    validator = Validator.from_importer(importer)
    domain = importer.get_domain()
    asked = {f"utter_ask_{slot}" for form in domain.forms.values() for slot in form.get("required_slots", [])}
    allowed = asked | RASA_OWN | responses_named_in_code()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        checks = [
            validator.verify_domain_validity(),
            validator.verify_actions_in_stories_rules(),
            validator.verify_forms_in_stories_rules(),
            validator.verify_form_slots(),
            validator.verify_slot_mappings(),
            validator.verify_intents(ignore_warnings=False),
            validator.verify_example_repetition_in_intents(ignore_warnings=False),
            validator.verify_intents_in_stories(ignore_warnings=False),
            validator.verify_story_structure(ignore_warnings=False),
        ]
        validator.verify_utterances_in_stories(ignore_warnings=True)
    problems = []
    for warning in caught:
        if not issubclass(warning.category, UserWarning) or issubclass(warning.category, DeprecationWarning):
            continue
        text = str(warning.message)
        unused = UNUSED.search(text)
        if unused and unused.group(1) in allowed:
            continue
        no_examples = NO_NLU_DATA.search(text)
        if no_examples and no_examples.group(1) in PAYLOAD_ONLY_INTENTS:
            continue
        problems.append(text)
    for text in problems:
        print(f"WARNING: {text}", file=sys.stderr)
    if not all(checks) or problems:
        print(f"data validation failed ({len(problems)} warning(s))", file=sys.stderr)
        return 1
    print("data validation passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
