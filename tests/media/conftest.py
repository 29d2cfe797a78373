"""Fixtures for the photo and voice-note tests: real engines, skipped with the reason when absent.

Install the engines with ``scripts/system-deps`` (Tesseract, espeak-ng, ffmpeg, fonts).
"""

from __future__ import annotations

import shutil

import pytest

from media.ocr import TesseractOcr
from media.settings import MediaSettings


def _need(binary: str) -> None:
    if shutil.which(binary) is None:
        pytest.skip(f"{binary} is not installed: run scripts/system-deps")


@pytest.fixture
def media_settings() -> MediaSettings:
    """Defaults, whatever the developer's environment says (no OpenAI key: offline speech)."""
    return MediaSettings.from_env({})


@pytest.fixture
def ocr(media_settings) -> TesseractOcr:
    _need("tesseract")
    return TesseractOcr(media_settings)


@pytest.fixture
def espeak() -> None:
    _need("espeak-ng")


@pytest.fixture
def ffmpeg() -> None:
    _need("ffmpeg")
