"""``python -m webservice``: serve the public API and the staff console with uvicorn."""

from __future__ import annotations

import uvicorn

from webservice.app import create_app
from webservice.settings import WebSettings


def main() -> None:
    settings = WebSettings.from_env()
    # ws="none": live updates are server-sent events; uvicorn's websocket layer does not load with
    # the websockets version Rasa pins. proxy_headers: X-Forwarded-Proto from the local proxy
    # (nginx) tells the console the browser used HTTPS, so its cookie gets "Secure".
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level="info", ws="none",
        proxy_headers=True, timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
