"""Photo or voice-note bytes → what Rasa should hear, or a polite reply. Never raises.

* A photo with a readable chassis number → ``/chassis_photo{"vin": "JTM…"}`` (or
  ``{"frame_number": "GRJ200-1234567"}``): the assistant asks "Is your chassis number …?".
* A photo without one → ``/unreadable_photo``: the assistant explains how to take the photo.
* A voice note → the transcript itself, so it goes through the normal NLU; ``reply`` holds
  "I heard: …" so the customer can correct a misunderstanding.
* Anything wrong (too big, lying MIME type, corrupt, too long, engine missing, failing or
  too slow) → ``message=None`` and a bilingual ``reply``, logged with its reason code.

OCR and speech run in a small thread pool (their engines are child processes, killed at the
deadline), so the event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from media.audio import decode_audio
from media.chassis_photo import ChassisReading, read_chassis_numbers
from media.errors import EngineFailed, EngineTimeout, EngineUnavailable, MediaError
from media.limits import check_media
from media.ocr import TesseractOcr
from media.replies import heard_reply, reply_for
from media.settings import MediaSettings
from media.speech import Transcriber, Transcript, make_transcribers

log = logging.getLogger(__name__)

CHASSIS_INTENT = "chassis_photo"
UNREADABLE_INTENT = "unreadable_photo"
# Added on top of an engine's own time limit before the pipeline stops waiting.
GRACE_S = 5.0


@dataclass(frozen=True)
class MediaResult:
    """``message`` goes to Rasa as the user's text (None: nothing to send); ``reply`` to the customer."""

    kind: str
    message: str | None
    reply: str | None = None
    reason: str | None = None  # "chassis_number" | "unreadable_photo" | "voice" | an error code
    metadata: dict[str, Any] = field(default_factory=dict)


def intent_payload(intent: str, entities: dict[str, str] | None = None) -> str:
    """Rasa's ``/intent{"entity": "value"}`` message syntax."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


class MediaPipeline:
    """One per process; build with :meth:`from_env` or pass settings and engines (tests)."""

    def __init__(
        self,
        settings: MediaSettings,
        *,
        ocr: TesseractOcr | None = None,
        transcribers: list[Transcriber] | None = None,
    ) -> None:
        self.settings = settings
        self.ocr = ocr or TesseractOcr(settings)
        self.transcribers = transcribers if transcribers is not None else make_transcribers(settings)
        self._executor: ThreadPoolExecutor | None = None

    @classmethod
    def from_env(cls) -> MediaPipeline:
        return cls(MediaSettings.from_env())

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.settings.max_concurrent_jobs, thread_name_prefix="media")
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    async def handle(
        self, kind: str, data: bytes, declared_mime: str | None = None, language: str | None = None
    ) -> MediaResult:
        """Turn one photo (``kind="image"``) or voice note (``"audio"``) into a :class:`MediaResult`.

        ``language`` ("en", "ar" or None for both) is the customer's, for the replies.
        """
        started = time.monotonic()
        try:
            real = check_media(kind, data, declared_mime)
            if kind == "image":
                result = await self._photo(data)
            else:
                result = await self._voice(data, real.format, language)
        except MediaError as exc:
            log.warning("media %s refused (%s): %s", kind, exc.reason, exc)
            result = self._error(kind, exc.reason, language)
        except Exception:  # noqa: BLE001 - a bug here must not lose the customer's message
            log.exception("media %s: unexpected failure", kind)
            result = self._error(kind, "engine_failed", language)
        log.info("media %s -> %s in %.2fs", kind, result.reason, time.monotonic() - started)
        return result

    def _error(self, kind: str, reason: str, language: str | None = None) -> MediaResult:
        reply = reply_for(reason, kind, language, max_audio_seconds=self.settings.max_audio_seconds)
        return MediaResult(kind, None, reply, reason)

    async def _run(self, timeout_s: float, fn, *args) -> Any:  # noqa: ANN001
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._pool(), fn, *args)
        try:
            return await asyncio.wait_for(future, timeout_s + GRACE_S)
        except asyncio.TimeoutError as exc:
            raise EngineTimeout(f"gave up waiting after {timeout_s + GRACE_S:.0f}s") from exc

    async def _photo(self, data: bytes) -> MediaResult:
        timeout = self.settings.ocr_timeout_s
        reading: ChassisReading = await self._run(
            timeout, lambda: read_chassis_numbers(data, ocr=self.ocr, timeout_s=timeout)
        )
        meta = {"ocr_candidates": reading.candidates[:3], "ocr_seconds": round(reading.elapsed_s, 2)}
        if not reading.candidates or reading.vehicle is None:
            # No reply here: the assistant answers /unreadable_photo with the photo tips in the
            # conversation's language; a second copy from the pipeline would repeat them.
            return MediaResult("image", intent_payload(UNREADABLE_INTENT), None, "unreadable_photo", meta)
        entity = "vin" if reading.vehicle.kind == "vin" else "frame_number"
        message = intent_payload(CHASSIS_INTENT, {entity: reading.vehicle.normalized})
        return MediaResult(
            "image", message, None, "chassis_number", {**meta, entity: reading.vehicle.normalized}
        )

    async def _voice(self, data: bytes, fmt: str, language: str | None = None) -> MediaResult:
        settings = self.settings
        pcm = await self._run(
            settings.speech_timeout_s,
            lambda: decode_audio(
                data,
                fmt,
                max_seconds=settings.max_audio_seconds,
                ffmpeg_cmd=settings.ffmpeg_cmd,
                timeout_s=settings.speech_timeout_s,
            ),
        )
        transcript = await self._transcribe(data, fmt, pcm)
        if not transcript.text:
            return self._error("audio", "no_speech", language)
        meta = {
            "voice": True,
            "transcript": transcript.text,
            "speech_engine": transcript.engine,
            "language": transcript.language,
            "duration_s": round(transcript.duration_s, 1),
        }
        heard = heard_reply(transcript.text, transcript.language or language)
        return MediaResult("audio", transcript.text, heard, "voice", meta)

    async def _transcribe(self, data: bytes, fmt: str, pcm) -> Transcript:  # noqa: ANN001
        """First engine that answers; a failing online engine falls back to the offline one."""
        if not self.transcribers:
            raise EngineUnavailable("no speech engine configured")
        last: MediaError | None = None
        for engine in self.transcribers:
            timeout = self.settings.speech_timeout_s
            try:
                return await self._run(timeout, engine.transcribe, data, fmt, pcm, timeout)
            except (EngineFailed, EngineTimeout, EngineUnavailable) as exc:
                log.warning("speech engine %s failed (%s): %s", engine.name, exc.reason, exc)
                last = exc
        assert last is not None
        raise last
