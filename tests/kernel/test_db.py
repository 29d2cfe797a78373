"""The one engine helper and the race-safe table creation, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import Column, Integer, MetaData, Table, inspect, text

from catalog.schema import metadata as catalog_metadata
from connectors.whatsapp.tables import metadata as connector_metadata
from shopkernel.db import create_missing_tables, make_engine


def test_several_processes_creating_all_tables_at_once_all_start(database_url):
    """Rasa servers, action servers and the web service may all start on a fresh database."""
    engines = [make_engine(database_url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def start(engine, metadata) -> None:  # noqa: ANN001
        barrier.wait()
        try:
            create_missing_tables(metadata, engine)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [
        threading.Thread(target=start, args=(e, catalog_metadata if i % 2 else connector_metadata))
        for i, e in enumerate(engines)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    tables = set(inspect(engines[0]).get_table_names())
    assert {"parts", "whatsapp_inbox"} <= tables
    for engine in engines:
        engine.dispose()


def test_sqlite_files_get_their_folder_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'deeper' / 'x.db'}")
    meta = MetaData()
    Table("t", meta, Column("id", Integer, primary_key=True))
    create_missing_tables(meta, engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
