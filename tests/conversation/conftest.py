"""The conversation package is tested on the real sample catalog's vocabulary."""

from tests.assistant.conftest import catalog_url  # noqa: F401 - session fixture shared with the actions
