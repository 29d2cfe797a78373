"""One running assistant (fake Meta, real action and Rasa servers with a token) for the module."""

from __future__ import annotations

import pytest

from tests.helpers.live_stack import LiveStack


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with LiveStack(tmp_path_factory.mktemp("live")) as running:
        yield running
