"""The session's live stack (tests/conftest.py ``live_stack``) under the name these tests use."""

from __future__ import annotations

import pytest


@pytest.fixture
def live(live_stack):
    return live_stack
