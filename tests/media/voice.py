"""Voice notes generated at test time: espeak-ng speech encoded the way WhatsApp sends it."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly


def speak_wav(text: str, *, speed: int = 120, voice: str = "en-us") -> bytes:
    """espeak-ng's WAV (22.05 kHz mono) for ``text``."""
    proc = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", text],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return proc.stdout


def to_ogg_opus(wav: bytes) -> bytes:
    """Ogg/Opus at 48 kHz, as WhatsApp voice notes are (encoded by libsndfile, no ffmpeg needed)."""
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
    samples = resample_poly(samples, 48000 // 50, rate // 50) if rate != 48000 else samples
    out = io.BytesIO()
    soundfile.write(out, samples, 48000, format="OGG", subtype="OPUS")
    return out.getvalue()


def silence_ogg(seconds: float, rate: int = 16000) -> bytes:
    """A quiet hum of ``seconds`` as Ogg/Opus (for the length limit)."""
    t = np.arange(int(seconds * rate)) / rate
    out = io.BytesIO()
    soundfile.write(
        out, (0.01 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), rate, format="OGG", subtype="OPUS"
    )
    return out.getvalue()


def ffmpeg_encode(wav: bytes, suffix: str, *args: str) -> bytes:
    """Re-encode with ffmpeg (M4A/AAC, AMR): the formats libsndfile cannot write."""
    if shutil.which("ffmpeg") is None:
        raise FileNotFoundError("ffmpeg")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / f"out{suffix}"
        src.write_bytes(wav)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-i", str(src), *args, str(dst)], check=True, timeout=60
        )
        return dst.read_bytes()
