"""Voice notes → 16 kHz mono 16-bit PCM, the input both speech engines want.

libsndfile (through :mod:`soundfile`, its library ships in the wheel) decodes what WhatsApp
voice notes are, OGG/Opus, plus MP3 and WAV; AAC, M4A and AMR go through ``ffmpeg``
(installed by scripts/system-deps). The duration is checked from the header before decoding
where the format allows it, so a two-hour file is refused without being decoded.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from math import gcd

import numpy as np
import soundfile
from scipy.signal import resample_poly

from media.errors import AudioTooLong, CorruptMedia, EngineTimeout, EngineUnavailable

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
SOUNDFILE_FORMATS = frozenset({"ogg", "mp3", "wav"})
MIN_SECONDS = 0.3


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit little-endian mono samples at :data:`SAMPLE_RATE`."""

    samples: bytes
    duration_s: float

    def wav(self) -> bytes:
        """The same audio as a WAV file (for engines that want a file)."""
        buf = io.BytesIO()
        pcm = np.frombuffer(self.samples, dtype="<i2")
        soundfile.write(buf, pcm, SAMPLE_RATE, format="WAV", subtype="PCM_16")
        return buf.getvalue()


def decode_audio(
    data: bytes, fmt: str, *, max_seconds: float, ffmpeg_cmd: str = "ffmpeg", timeout_s: float = 30.0
) -> Pcm:
    """Decode ``data`` (of sniffed format ``fmt``) to :class:`Pcm`.

    Raises :class:`AudioTooLong`, :class:`CorruptMedia`, :class:`EngineUnavailable` (no
    ffmpeg for AAC/M4A/AMR) or :class:`EngineTimeout`.
    """
    if fmt in SOUNDFILE_FORMATS:
        try:
            samples, rate = _soundfile_decode(data, max_seconds)
        except CorruptMedia:
            if shutil.which(ffmpeg_cmd) is None:
                raise
            log.info("libsndfile could not decode this %s; trying ffmpeg", fmt)
            samples, rate = _ffmpeg_decode(data, max_seconds, ffmpeg_cmd, timeout_s), SAMPLE_RATE
    else:
        samples, rate = _ffmpeg_decode(data, max_seconds, ffmpeg_cmd, timeout_s), SAMPLE_RATE
    mono = _to_16k_mono(samples, rate)
    duration = len(mono) / SAMPLE_RATE
    if duration > max_seconds:
        raise AudioTooLong(f"voice note is {duration:.0f}s, the limit is {max_seconds:.0f}s")
    if duration < MIN_SECONDS:
        raise CorruptMedia(f"voice note is only {duration:.2f}s long")
    pcm = (np.clip(mono, -1.0, 1.0) * 32767).astype("<i2")
    return Pcm(pcm.tobytes(), duration)


def _soundfile_decode(data: bytes, max_seconds: float) -> tuple[np.ndarray, int]:
    try:
        info = soundfile.info(io.BytesIO(data))
        if info.frames and info.samplerate and info.frames / info.samplerate > max_seconds:
            raise AudioTooLong(
                f"voice note is {info.frames / info.samplerate:.0f}s, the limit is {max_seconds:.0f}s"
            )
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise CorruptMedia(f"audio cannot be decoded: {exc}") from exc
    return samples, rate


def _ffmpeg_decode(data: bytes, max_seconds: float, ffmpeg_cmd: str, timeout_s: float) -> np.ndarray:
    """ffmpeg from a temp file (M4A keeps its index at the end, so a pipe is not enough)."""
    if shutil.which(ffmpeg_cmd) is None:
        raise EngineUnavailable(f"{ffmpeg_cmd!r} not found; run scripts/system-deps")
    with tempfile.NamedTemporaryFile(suffix=".media") as src:
        src.write(data)
        src.flush()
        cmd = [
            ffmpeg_cmd,
            "-nostdin",
            "-v",
            "error",
            "-i",
            src.name,
            "-t",
            f"{max_seconds + 1:.0f}",
            "-vn",
            "-ac",
            "1",
            "-ar",
            str(SAMPLE_RATE),
            "-f",
            "f32le",
            "pipe:1",
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise EngineTimeout(f"ffmpeg killed after {timeout_s:.0f}s") from exc
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CorruptMedia(f"ffmpeg cannot decode the audio: {err[-1] if err else 'no output'}")
    return np.frombuffer(proc.stdout, dtype="<f4").reshape(-1, 1)


def _to_16k_mono(samples: np.ndarray, rate: int) -> np.ndarray:
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    if rate == SAMPLE_RATE:
        return mono
    g = gcd(int(rate), SAMPLE_RATE)
    return resample_poly(mono, SAMPLE_RATE // g, int(rate) // g).astype(np.float32)
