"""One vocabulary per process, reloaded from the database after a TTL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from catalog.vocabulary.matching import Vocabulary


class VocabularyCache:
    """One :class:`Vocabulary` per session factory, reloaded after ``ttl_seconds``.

    Thread-safe; a failed reload keeps serving the previous vocabulary (and re-raises only
    when there is none yet).
    """

    def __init__(self, session_factory: Callable[[], Session], ttl_seconds: float = 300.0) -> None:
        self._factory = session_factory
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._vocab: Vocabulary | None = None
        self._loaded_at = 0.0

    def get(self) -> Vocabulary:
        now = time.monotonic()
        if self._vocab is not None and now - self._loaded_at < self._ttl:
            return self._vocab
        with self._lock:
            if self._vocab is not None and time.monotonic() - self._loaded_at < self._ttl:
                return self._vocab
            try:
                with self._factory() as session:
                    self._vocab = Vocabulary.load(session)
            except Exception:
                if self._vocab is None:
                    raise
                # keep the old vocabulary; try again after another TTL
            self._loaded_at = time.monotonic()
            return self._vocab

    def invalidate(self) -> None:
        """Force a reload on the next :meth:`get` (after an import)."""
        with self._lock:
            self._loaded_at = 0.0
