"""WhatsApp's media limits and the real file type, read from the bytes.

The declared MIME type comes from the sender's phone and can be wrong (a PDF sent "as a photo",
a renamed file): we trust only the magic bytes, and keep the declared type for the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from media.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia

log = logging.getLogger(__name__)

MB = 1024 * 1024
IMAGE_MAX_BYTES = 5 * MB  # jpeg, png
AUDIO_MAX_BYTES = 16 * MB  # aac, amr, mp3, m4a, ogg (opus)
IMAGE_MAX_PIXELS = 40_000_000  # a 5 MB JPEG from a phone is ~12-20 MP; more is a decompression bomb

IMAGE_FORMATS = frozenset({"jpeg", "png"})
AUDIO_FORMATS = frozenset({"ogg", "mp3", "m4a", "aac", "amr", "wav"})
MAX_BYTES = {"image": IMAGE_MAX_BYTES, "audio": AUDIO_MAX_BYTES}


@dataclass(frozen=True)
class MediaType:
    """What the bytes really are: ``kind`` (image/audio/other) and a short format name."""

    kind: str
    format: str
    mime: str


def _is_mp3_frame(head: bytes) -> bool:
    # 11 sync bits, MPEG version != reserved, layer != 00 (00 is ADTS/AAC)
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


def _is_adts(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def sniff(data: bytes) -> MediaType:
    """The real type of ``data`` from its first bytes; ``kind == "other"`` for anything unknown."""
    head = data[:64]
    if head.startswith(b"\xff\xd8\xff"):
        return MediaType("image", "jpeg", "image/jpeg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return MediaType("image", "png", "image/png")
    if head.startswith(b"OggS"):
        return MediaType("audio", "ogg", "audio/ogg")
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return MediaType("audio", "amr", "audio/amr")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"heic", b"heix", b"mif1", b"msf1", b"avif"}:
            return MediaType("other", "heic", "image/heic")
        if brand.startswith(b"qt"):
            return MediaType("other", "mov", "video/quicktime")
        return MediaType("audio", "m4a", "audio/mp4")  # M4A, mp42, isom, 3gp: decoded by ffmpeg
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return MediaType("audio", "wav", "audio/wav")
    if head.startswith(b"ID3") or _is_mp3_frame(head):
        return MediaType("audio", "mp3", "audio/mpeg")
    if _is_adts(head):
        return MediaType("audio", "aac", "audio/aac")
    return MediaType("other", _other_format(head), "application/octet-stream")


def _other_format(head: bytes) -> str:
    """A name for the log, so "a PDF sent as a photo" is visible there."""
    known = {
        b"%PDF": "pdf",
        b"GIF8": "gif",
        b"PK\x03\x04": "zip",
        b"BM": "bmp",
        b"II*\x00": "tiff",
        b"MM\x00*": "tiff",
        b"\x1aE\xdf\xa3": "webm",
    }
    for magic, name in known.items():
        if head.startswith(magic):
            return name
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    return "unknown"


def check_media(kind: str, data: bytes, declared_mime: str | None = None) -> MediaType:
    """Validate ``data`` for a message of ``kind`` ("image" or "audio") and return its real type.

    Raises :class:`MediaTooLarge`, :class:`UnsupportedMedia` or :class:`CorruptMedia` with a
    message naming what was received, for the log.
    """
    if kind not in MAX_BYTES:
        raise UnsupportedMedia(f"unsupported message kind {kind!r}")
    if not data:
        raise CorruptMedia(f"empty {kind} file")
    if len(data) > MAX_BYTES[kind]:
        limit = MAX_BYTES[kind] // MB
        raise MediaTooLarge(f"{kind} is {len(data) / MB:.1f} MB; WhatsApp's limit is {limit} MB")
    real = sniff(data)
    allowed = IMAGE_FORMATS if kind == "image" else AUDIO_FORMATS
    if real.kind != kind or real.format not in allowed:
        raise UnsupportedMedia(
            f"{kind} message declared as {declared_mime or 'unknown'} is really {real.format}"
        )
    declared = (declared_mime or "").split(";")[0].strip().lower()
    if declared and declared.split("/")[0] != real.kind:
        log.warning("declared MIME type %s but the bytes are %s; using %s", declared, real.mime, real.format)
    return real
