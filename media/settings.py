"""Media settings, read once from the environment (see docs/media.md for the table).

Build one :class:`MediaSettings` with :meth:`MediaSettings.from_env` at start-up and pass it
to :class:`media.pipeline.MediaPipeline`; nothing else in ``media/`` reads ``os.environ``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shopkernel.env import EnvReader

SPEECH_ENGINES = ("auto", "openai", "pocketsphinx")


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
        read = EnvReader(env)
        return cls(
            tesseract_cmd=read.text("TESSERACT_CMD", "tesseract"),
            ocr_languages=read.text("MEDIA_OCR_LANGUAGES", "eng"),
            ocr_timeout_s=read.number("MEDIA_OCR_TIMEOUT_S", 25.0, minimum=0.1),
            speech_timeout_s=read.number("MEDIA_SPEECH_TIMEOUT_S", 60.0, minimum=0.1),
            max_audio_seconds=read.number("MEDIA_MAX_AUDIO_SECONDS", 120.0, minimum=0.1),
            speech_engine=read.choice("MEDIA_SPEECH_ENGINE", "auto", SPEECH_ENGINES),
            openai_api_key=read.text("OPENAI_API_KEY"),
            openai_base_url=read.url("OPENAI_BASE_URL") or None,
            transcribe_model=read.text("OPENAI_TRANSCRIBE_MODEL", "gpt-4o-mini-transcribe"),
            ffmpeg_cmd=read.text("FFMPEG_CMD", "ffmpeg"),
            max_concurrent_jobs=read.integer("MEDIA_MAX_CONCURRENT_JOBS", 2, minimum=1),
        )

    @property
    def use_openai(self) -> bool:
        """OpenAI when asked for, or in auto mode whenever a key is configured."""
        if self.speech_engine == "pocketsphinx":
            return False
        return bool(self.openai_api_key) or self.speech_engine == "openai"
