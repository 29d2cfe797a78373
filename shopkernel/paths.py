"""Where the project's files live, for defaults that must work on a fresh clone."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
CONFIG_DIR = PROJECT_ROOT / "config"
