"""The shared database: default URL, engines, sessions and safe table creation.

Catalog, customers, leads, the connector's dedup/failure tables and the rephraser's usage
table all live in one database (SQLite by default, PostgreSQL in production). Engines are
built on demand, never at import time. SQLite gets WAL mode and foreign keys so that it
behaves like PostgreSQL for our purposes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from shopkernel.paths import VAR_DIR

DEFAULT_DB_PATH = VAR_DIR / "catalog.db"

T = TypeVar("T")


def default_database_url() -> str:
    """SQLite file under the project: works on a fresh machine with nothing set."""
    return f"sqlite:///{DEFAULT_DB_PATH}"


def make_engine(database_url: str, echo: bool = False) -> Engine:
    """Create an engine with the 2.0-style API (``future=True``) on SQLAlchemy 1.4."""
    kwargs: dict = {"future": True, "echo": echo}
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):  # a "file:" URI names its own path
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            # SQLAlchemy 1.4 defaults to NullPool for SQLite files: a new connection and
            # three PRAGMAs per session. Pooling them costs nothing and saves ~1-9 ms per search.
            kwargs.update(poolclass=QueuePool, pool_size=5, max_overflow=10)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10)
    engine = create_engine(database_url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_read_engine(database_url: str) -> Engine:
    """An engine for read-only work on a hot path (the public API's searches).

    On PostgreSQL its statements run in autocommit and its connections are not pinged before
    use: a search then costs its three statements and nothing else, where a transaction and the
    ping add four round trips (BEGIN, SELECT 1, ROLLBACK...) and a third of the database's
    work per search. A connection broken by a database restart fails its first statement;
    SQLAlchemy then drops the whole pool and :func:`read_once_more` runs the read again on a
    fresh connection. SQLite has no round trips: the ordinary engine.
    """
    if database_url.startswith("sqlite"):
        return make_engine(database_url)
    return create_engine(
        database_url, future=True, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=10
    )


def read_once_more(factory: sessionmaker, read: Callable[[Session], T]) -> T:
    """Run a read-only unit of work; once more when its connection turned out to be dead.

    Pairs with :func:`make_read_engine` (no ping before use): the first statement on a
    connection the database closed (restart, failover, idle timeout) fails with the connection
    invalidated, and the second attempt gets a new one. Any other error is raised."""
    try:
        with factory() as session:
            return read(session)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    with factory() as session:
        return read(session)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 (DB-API objects)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def create_missing_tables(metadata: MetaData, engine: Engine, attempts: int | None = None) -> None:
    """``create_all`` that is safe when several processes start on a fresh database at once.

    Both see "table missing" and both CREATE it; the loser gets a duplicate error (PostgreSQL
    raises it on pg_type, SQLite "already exists"). Checking again then finds the table. Every
    lost race means another process created a table, so one attempt per table always suffices.
    """
    attempts = attempts or len(metadata.tables) + 2
    for attempt in range(1, attempts + 1):
        try:
            metadata.create_all(engine, checkfirst=True)
            return
        except (IntegrityError, ProgrammingError, OperationalError):
            if attempt == attempts:
                raise


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
