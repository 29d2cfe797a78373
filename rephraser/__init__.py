"""GPT only as a fallback: rephrase what the NLU could not place, never state facts.

Plain Python, no Rasa imports: :class:`~rephraser.service.FallbackRephraser` is used by the
rasa-sdk action ``actions/rephrase_fallback.py``. See docs/rephraser.md.
"""

from rephraser.guard import FactCheck, check_facts
from rephraser.service import Clarification, FallbackRephraser
from rephraser.settings import RephraserSettings

__all__ = ["Clarification", "FactCheck", "FallbackRephraser", "RephraserSettings", "check_facts"]
