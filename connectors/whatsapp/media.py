"""The seam between the connector and the photo/voice pipeline (package ``media/``).

The connector does not interpret photos or voice notes. It hands the media id to
a :class:`MediaHandler` named by ``WHATSAPP_MEDIA_HANDLER`` (``package.module:factory``),
which may download the file through the :class:`MediaFetcher` it is given and returns
the text to send to Rasa, or None when it cannot help (the customer is then asked
to type). It may instead return an object with ``message`` (text for Rasa or None)
and ``reply`` (text for the customer or None) attributes, e.g. media's MediaResult:
the reply is sent first, then the message goes to Rasa. The factory is called as
``factory(fetcher=MediaFetcher)``. Raising MediaTooLargeError gets a "too large" reply.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any, Protocol, runtime_checkable

from connectors.whatsapp.graph_client import DownloadedMedia, GraphClient
from connectors.whatsapp.settings import WhatsAppSettings
from shopkernel.env import SettingsError

logger = logging.getLogger(__name__)


@runtime_checkable
class MediaHandler(Protocol):
    async def handle(self, kind: str, media_id: str, mime_type: str, sender: str) -> Any:
        """``kind`` is "image" or "audio"; return text for Rasa, None, or an object with message/reply."""


class MediaFetcher:
    """Downloads a customer's media with the size limit that applies to its kind."""

    def __init__(self, client: GraphClient, settings: WhatsAppSettings) -> None:
        self._client = client
        self._limits = {"image": settings.max_image_bytes, "audio": settings.max_audio_bytes}

    async def fetch(self, kind: str, media_id: str) -> DownloadedMedia:
        """Raise MediaTooLargeError / MediaNotFoundError / MediaDownloadError on failure."""
        limit = self._limits.get(kind, max(self._limits.values()))
        return await self._client.download_media(media_id, max_bytes=limit)


class AskToTypeHandler:
    """Default until a pipeline is configured: nothing understood, so the customer is asked to type."""

    def __init__(self, fetcher: MediaFetcher | None = None) -> None:
        self.fetcher = fetcher

    async def handle(self, kind: str, media_id: str, mime_type: str, sender: str) -> str | None:
        return None


def media_outcome(result: Any) -> tuple[str | None, str | None]:
    """Normalise a handler's answer to (text for Rasa, reply for the customer)."""
    if isinstance(result, str):
        return (result.strip() or None), None
    message, reply = getattr(result, "message", None), getattr(result, "reply", None)
    message = message.strip() if isinstance(message, str) and message.strip() else None
    reply = reply.strip() if isinstance(reply, str) and reply.strip() else None
    return message, reply


def load_media_handler(dotted_path: str, fetcher: MediaFetcher) -> MediaHandler:
    """Import ``package.module:attr`` (or ``package.module.attr``) and build the handler."""
    if not dotted_path:
        return AskToTypeHandler(fetcher)
    module_name, sep, attr = dotted_path.partition(":")
    if not sep:
        module_name, _, attr = dotted_path.rpartition(".")
    try:
        target: Any = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise SettingsError(f"WHATSAPP_MEDIA_HANDLER={dotted_path!r} cannot be imported: {exc}") from exc
    handler = (
        target
        if isinstance(target, MediaHandler) and not isinstance(target, type)
        else target(fetcher=fetcher)
    )
    if not isinstance(handler, MediaHandler):
        raise SettingsError(
            f"WHATSAPP_MEDIA_HANDLER={dotted_path!r} did not give an object with async handle()"
        )
    return handler
