"""Why a photo or voice note could not be used: one exception type per cause.

Each carries a stable ``reason`` code; :mod:`media.replies` maps the codes to the polite
English and Arabic answers, and logs/metrics use the code.
"""

from __future__ import annotations


class MediaError(Exception):
    """Base class: the media cannot be turned into a message."""

    reason = "media_error"


class MediaTooLarge(MediaError):
    """Over WhatsApp's size limit for its kind (5 MB images, 16 MB audio)."""

    reason = "too_large"


class UnsupportedMedia(MediaError):
    """Not an image/audio format we accept, whatever MIME type was declared."""

    reason = "unsupported_type"


class CorruptMedia(MediaError):
    """Looks like a supported format but cannot be decoded."""

    reason = "corrupt"


class AudioTooLong(MediaError):
    """Voice note longer than the configured maximum."""

    reason = "too_long"


class EngineUnavailable(MediaError):
    """The OCR or speech engine is not installed or not configured."""

    reason = "engine_unavailable"


class EngineTimeout(MediaError):
    """The OCR or speech engine ran out of its time budget."""

    reason = "timeout"


class EngineFailed(MediaError):
    """The OCR or speech engine returned an error."""

    reason = "engine_failed"
