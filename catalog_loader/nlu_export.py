"""Generate Rasa NLU lookup tables and synonyms from the catalog (``export-nlu`` command).

Owned by the assistant work (issue 3); the CLI calls :func:`register`.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``export-nlu`` command to the loader CLI (filled in by the assistant work)."""
