"""``python -m webservice``: serve the public API and the staff console with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from webservice.app import create_app
from webservice.settings import WebSettings

log = logging.getLogger(__name__)


def main() -> None:
    settings = WebSettings.from_env()
    # ws="none": live updates are server-sent events; uvicorn's websocket layer does not load with
    # the websockets version Rasa pins. proxy_headers: X-Forwarded-Proto from the local proxy
    # (nginx) tells the console the browser used HTTPS, so its cookie gets "Secure".
    options = dict(
        host=settings.host,
        port=settings.port,
        log_level="info",
        ws="none",
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # Several processes (WEB_WORKERS): each builds its own app from the same environment. The
    # console keeps its state in the database; rate limits are shared only through REDIS_URL.
    if not settings.api.redis_url:
        log.warning(
            "WEB_WORKERS=%d without REDIS_URL: each worker counts rate limits on its own", settings.workers
        )
    uvicorn.run("webservice.app:create_app", factory=True, workers=settings.workers, **options)


if __name__ == "__main__":
    main()
