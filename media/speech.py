"""Speech to text for voice notes: OpenAI's transcription API with a key, PocketSphinx without.

OpenAI (``gpt-4o-mini-transcribe`` by default, ``whisper-1`` also works) understands Arabic,
English and Gulf accents; PocketSphinx is the offline fallback, English only and weaker, but
its model ships in the wheel so it works on a fresh machine with nothing configured.
Both are called synchronously here; :class:`media.pipeline.MediaPipeline` runs them off the
event loop with a time limit.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from dataclasses import dataclass
from typing import Protocol

import openai

from media.audio import Pcm
from media.errors import EngineFailed, EngineTimeout, EngineUnavailable
from media.settings import MediaSettings
from shopkernel.language import has_arabic

log = logging.getLogger(__name__)

# Formats OpenAI accepts as they are; anything else is sent as the decoded 16 kHz WAV.
_OPENAI_UPLOAD = {
    "ogg": ("voice.ogg", "audio/ogg"),
    "mp3": ("voice.mp3", "audio/mpeg"),
    "m4a": ("voice.m4a", "audio/mp4"),
    "wav": ("voice.wav", "audio/wav"),
}


@dataclass(frozen=True)
class Transcript:
    """What was said, which engine heard it, its language ("en", "ar" or None) and length."""

    text: str
    engine: str
    language: str | None
    duration_s: float


class Transcriber(Protocol):
    name: str

    def transcribe(self, data: bytes, fmt: str, pcm: Pcm, timeout_s: float) -> Transcript: ...


def _language(reported: str | None, text: str) -> str | None:
    """OpenAI reports "english"/"arabic" (whisper-1 verbose_json) or nothing; fall back to the script."""
    names = {"english": "en", "arabic": "ar"}
    if reported:
        return names.get(reported.lower(), reported.lower())
    if not text:
        return None
    return "ar" if has_arabic(text) else "en"


class OpenAITranscriber:
    """``POST /v1/audio/transcriptions`` through the official client (OPENAI_BASE_URL honoured)."""

    name = "openai"

    def __init__(self, settings: MediaSettings) -> None:
        if not settings.openai_api_key:
            raise EngineUnavailable("OPENAI_API_KEY is not set")
        self.settings = settings
        self._client: openai.OpenAI | None = None

    def _get_client(self) -> openai.OpenAI:
        if self._client is None:
            self._client = openai.OpenAI(
                api_key=self.settings.openai_api_key,
                base_url=self.settings.openai_base_url,
                max_retries=1,
            )
        return self._client

    def transcribe(self, data: bytes, fmt: str, pcm: Pcm, timeout_s: float) -> Transcript:
        filename, mime = _OPENAI_UPLOAD.get(fmt, ("voice.wav", "audio/wav"))
        upload = data if fmt in _OPENAI_UPLOAD else pcm.wav()
        verbose = self.settings.transcribe_model.startswith("whisper")
        try:
            result = self._get_client().audio.transcriptions.create(
                model=self.settings.transcribe_model,
                file=(filename, upload, mime),
                prompt=self.settings.transcribe_prompt,
                response_format="verbose_json" if verbose else "json",
                timeout=timeout_s,
            )
        except openai.APITimeoutError as exc:
            raise EngineTimeout(f"transcription API did not answer in {timeout_s:.0f}s") from exc
        except openai.APIStatusError as exc:
            raise EngineFailed(f"transcription API answered {exc.status_code}: {_brief(exc)}") from exc
        except (openai.APIError, ValueError) as exc:  # connection errors, unparsable bodies
            raise EngineFailed(f"transcription API failed: {type(exc).__name__}") from exc
        text = (getattr(result, "text", None) or "").strip()
        return Transcript(text, self.name, _language(getattr(result, "language", None), text), pcm.duration_s)


def _brief(exc: openai.APIStatusError) -> str:
    """The API's error code/type only: its message may quote (part of) the key."""
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body) if isinstance(body, dict) else {}
    if not isinstance(error, dict):
        return "error"
    return str(error.get("code") or error.get("type") or "error")[:80]


class PocketSphinxTranscriber:
    """Offline US-English recogniser in a child process (see :mod:`media.sphinx_worker`)."""

    name = "pocketsphinx"

    def transcribe(self, data: bytes, fmt: str, pcm: Pcm, timeout_s: float) -> Transcript:
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "media.sphinx_worker"],
                input=pcm.samples,
                capture_output=True,
                timeout=timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise EngineTimeout(f"pocketsphinx killed after {timeout_s:.0f}s") from exc
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise EngineFailed(f"pocketsphinx exit {proc.returncode}: {err[-1] if err else ''}")
        try:
            text = json.loads(proc.stdout)["text"].strip()
        except (ValueError, KeyError, TypeError) as exc:
            raise EngineFailed("pocketsphinx printed no transcript") from exc
        return Transcript(text, self.name, "en" if text else None, pcm.duration_s)


def make_transcribers(settings: MediaSettings) -> list[Transcriber]:
    """Engines to try in order: OpenAI first when configured, PocketSphinx as the offline fallback."""
    engines: list[Transcriber] = []
    if settings.use_openai:
        try:
            engines.append(OpenAITranscriber(settings))
        except EngineUnavailable as exc:
            log.warning("OpenAI transcription unavailable: %s", exc)
    if settings.speech_engine != "openai" or not engines:
        engines.append(PocketSphinxTranscriber())
    return engines
