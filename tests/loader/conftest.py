"""Fixtures for the loader tests: CSV files on disk, migrated databases cleaned up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from shopkernel.db import make_engine


@pytest.fixture
def write_csv(tmp_path):
    """Write text to a CSV file (exact bytes: pass newline/encoding choices in the text itself)."""

    def write(content: str, name: str = "catalog.csv", bom: bool = False) -> Path:
        path = tmp_path / name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + content.encode("utf-8"))
        return path

    return write


@pytest.fixture
def migrated_url(database_url):
    """A database URL whose Alembic bookkeeping is removed afterwards (conftest drops the rest)."""
    yield database_url
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
