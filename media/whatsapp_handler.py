"""The WhatsApp connector's media hook, backed by :class:`media.pipeline.MediaPipeline`.

Wire it by configuration (the connector never imports ``media`` or the catalog)::

    WHATSAPP_MEDIA_HANDLER=media.whatsapp_handler:WhatsAppMediaHandler

The connector calls ``WhatsAppMediaHandler(fetcher=MediaFetcher)`` once and then
``await handler.handle(kind, media_id, mime_type, sender)`` per photo or voice note. It
returns a :class:`MediaResult`: ``message`` is the text Rasa gets (an intent payload for
photos, the transcript for voice notes; None when the media could not be used) and ``reply``
the text the connector sends first, in the customer's language (both while unknown), from
config/customer_copy.yml ("I heard: …", "that voice note is too
long…").
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from connectors.whatsapp.errors import MediaDownloadError, MediaNotFoundError, MediaTooLargeError
from media.pipeline import MediaPipeline, MediaResult
from media.replies import reply_for
from media.settings import MediaSettings
from shopkernel.masking import mask_phone

log = logging.getLogger(__name__)


class Fetcher(Protocol):
    async def fetch(self, kind: str, media_id: str) -> Any:
        """Returns an object with ``data`` (bytes) and ``mime_type`` (str)."""


class WhatsAppMediaHandler:
    """Downloads through the connector's fetcher, then runs the pipeline."""

    def __init__(self, fetcher: Fetcher, pipeline: MediaPipeline | None = None) -> None:
        self.fetcher = fetcher
        self.pipeline = pipeline or MediaPipeline(MediaSettings.from_env())

    async def handle(
        self, kind: str, media_id: str, mime_type: str, sender: str, language: str | None = None
    ) -> MediaResult:
        """Download and interpret one media message; never raises.

        The connector sends ``reply`` first and gives ``message`` to Rasa.
        """
        try:
            media = await self.fetcher.fetch(kind, media_id)
        except MediaTooLargeError:
            log.warning("media %s from %s is over the size limit", kind, mask_phone(sender))
            return MediaResult(
                kind, None, reply_for("too_large", kind, language), "too_large", {"download": "too_large"}
            )
        except (MediaNotFoundError, MediaDownloadError) as exc:
            log.warning(
                "media %s from %s could not be downloaded: %s", kind, mask_phone(sender), type(exc).__name__
            )
            return MediaResult(kind, None, reply_for("download_failed", kind, language), "download_failed")
        declared = mime_type or getattr(media, "mime_type", "")
        result = await self.pipeline.handle(kind, media.data, declared, language)
        log.info("media %s from %s: %s", kind, mask_phone(sender), result.reason)
        return result
