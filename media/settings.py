"""Media settings, read once from the environment (see docs/media.md for the table).

Build one :class:`MediaSettings` with :meth:`MediaSettings.from_env` at start-up and pass it
to :class:`media.pipeline.MediaPipeline`; nothing else in ``media/`` reads ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {raw!r}")
    return value


@dataclass(frozen=True)
class MediaSettings:
    """Engines, time limits and the OpenAI transcription credentials (key never shown in repr)."""

    tesseract_cmd: str = "tesseract"
    ocr_languages: str = "eng"
    ocr_timeout_s: float = 25.0
    speech_timeout_s: float = 60.0
    max_audio_seconds: float = 120.0
    speech_engine: str = "auto"  # auto | openai | pocketsphinx
    openai_api_key: str = field(default="", repr=False)
    openai_base_url: str | None = None
    transcribe_model: str = "gpt-4o-mini-transcribe"
    transcribe_prompt: str = (
        "A customer of a car-parts shop in Dubai asks for spare parts, e.g. brake pads, oil filter, "
        "Toyota Land Cruiser, Nissan Patrol, chassis number."
    )
    ffmpeg_cmd: str = "ffmpeg"
    max_concurrent_jobs: int = 2

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> MediaSettings:
        env = os.environ if env is None else env
        engine = (env.get("MEDIA_SPEECH_ENGINE") or "auto").strip().lower()
        if engine not in {"auto", "openai", "pocketsphinx"}:
            raise ValueError(f"MEDIA_SPEECH_ENGINE must be auto, openai or pocketsphinx, got {engine!r}")
        return cls(
            tesseract_cmd=env.get("TESSERACT_CMD") or "tesseract",
            ocr_languages=env.get("MEDIA_OCR_LANGUAGES") or "eng",
            ocr_timeout_s=_float(env, "MEDIA_OCR_TIMEOUT_S", 25.0),
            speech_timeout_s=_float(env, "MEDIA_SPEECH_TIMEOUT_S", 60.0),
            max_audio_seconds=_float(env, "MEDIA_MAX_AUDIO_SECONDS", 120.0),
            speech_engine=engine,
            openai_api_key=env.get("OPENAI_API_KEY", "").strip(),
            openai_base_url=env.get("OPENAI_BASE_URL") or None,
            transcribe_model=env.get("OPENAI_TRANSCRIBE_MODEL") or "gpt-4o-mini-transcribe",
            ffmpeg_cmd=env.get("FFMPEG_CMD") or "ffmpeg",
            max_concurrent_jobs=max(1, int(_float(env, "MEDIA_MAX_CONCURRENT_JOBS", 2))),
        )

    @property
    def use_openai(self) -> bool:
        """OpenAI when asked for, or in auto mode whenever a key is configured."""
        if self.speech_engine == "pocketsphinx":
            return False
        return bool(self.openai_api_key) or self.speech_engine == "openai"
