"""``python -m webservice``: serve the public API and the staff console with uvicorn."""

from __future__ import annotations

import uvicorn

from webservice.app import create_app
from webservice.settings import WebSettings


def main() -> None:
    settings = WebSettings.from_env()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
