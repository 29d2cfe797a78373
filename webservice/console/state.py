"""The console's long-lived objects, built once by ``mount`` and kept on ``app.state.console``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from shopkernel.db import session_scope
from webservice.console.transcripts import TranscriptReader
from webservice.console.ui import NavItem, UiText
from webservice.settings import WebSettings


@dataclass
class ConsoleState:
    settings: WebSettings
    session_factory: sessionmaker
    templates: Jinja2Templates
    text: UiText
    transcripts: TranscriptReader
    nav: list[NavItem] = field(default_factory=list)
    feed: object = None  # webservice.console.events.EventFeed (set by mount)

    @contextmanager
    def db(self) -> Iterator[Session]:
        """One unit of work on the shop database: commit on success, roll back on error."""
        with session_scope(self.session_factory) as session:
            yield session


def console_state(request: Request) -> ConsoleState:
    return request.app.state.console
