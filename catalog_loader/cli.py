"""The staff command line: ``python -m catalog_loader import|sample|init-db|stats|export-nlu|vocabulary``.

Exit codes (also in docs/catalog-loader.md):
  0  done (an import may still have rejected some rows: see the summary and the rejects file)
  1  nothing could be loaded: no valid row in the file
  2  bad command line (unknown option, bad --map)
  3  the file cannot be read as a catalog (missing, not UTF-8, Excel workbook, missing columns)
  4  database problem (unreachable, no tables, import refused): nothing was changed
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from catalog.csv_format import CatalogFileError, MappingError, load_mapping_file, parse_mapping
from catalog.importer import CatalogImportError, ImportResult, import_catalog
from catalog.migrate import MigrationError, has_catalog_tables, upgrade_database
from catalog.sample import DEFAULT_SEED, write_sample
from catalog.schema import Category, Fitment, Make, Model, Part, PartNumber
from catalog.settings import Settings
from catalog_loader import api_keys_cli, nlu_export, privacy_cli, review_cli, users_cli, vocabulary_cli
from catalog_loader.reports import default_rejects_path, write_rejects_csv, write_report_json
from shopkernel.db import make_engine
from shopkernel.masking import mask_url

EXIT_OK, EXIT_NOTHING_LOADED, EXIT_USAGE, EXIT_BAD_FILE, EXIT_DATABASE = 0, 1, 2, 3, 4
SHOWN_REJECTS = 10

app = typer.Typer(
    help="Load the shop's parts catalog from CSV, generate a sample catalog, inspect the database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DatabaseUrl = typer.Option(
    None, "--database-url", help="SQLAlchemy URL; default: $DATABASE_URL or SQLite var/catalog.db."
)


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _resolve_url(database_url: str | None) -> str:
    return database_url or Settings.from_env().database_url


# --------------------------------------------------------------------------- import
@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Catalog CSV (UTF-8, comma/semicolon/tab separated)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count changes, write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Write a JSON report (summary + rejects)."),
    rejects: Path | None = typer.Option(
        None, "--rejects", help="Where to write rejected rows (default: FILE.rejects.csv next to FILE)."
    ),
    prune: bool = typer.Option(False, "--prune", help="Delete parts whose sku is not in the file."),
    map_: list[str] | None = typer.Option(
        None, "--map", help="Column mapping 'Column In File=field,...' (repeatable)."
    ),
    map_file: Path | None = typer.Option(None, "--map-file", help="YAML file of 'Column In File: field'."),
    database_url: str | None = DatabaseUrl,
) -> None:
    """Import (insert/update) parts from a CSV export; bad rows go to a rejects file."""
    try:
        mapping = load_mapping_file(map_file) if map_file else {}
        for text in map_ or []:
            mapping.update(parse_mapping(text))
    except MappingError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    url = _resolve_url(database_url)
    if not file.is_file():
        raise _fail(f"cannot read {file}: no such file", EXIT_BAD_FILE)
    _ensure_tables(url, create=not dry_run)
    engine = make_engine(url)
    try:
        with _progress() as progress:
            result = import_catalog(
                engine, file, mapping=mapping, prune=prune, dry_run=dry_run, progress=progress
            )
    except CatalogFileError as exc:
        raise _fail(str(exc), EXIT_BAD_FILE) from None
    except CatalogImportError as exc:
        raise _fail(str(exc), EXIT_DATABASE) from None
    finally:
        engine.dispose()
    _print_summary(result)
    try:
        _write_outputs(result, file, rejects, report, url)
    except OSError as exc:
        done = "nothing was written (dry run)" if dry_run else "the import itself is committed"
        raise _fail(f"cannot write {exc.filename}: {exc.strerror}; {done}", EXIT_BAD_FILE) from None
    if not result.loaded_anything:
        raise _fail("no valid rows: nothing was loaded", EXIT_NOTHING_LOADED)


def _ensure_tables(url: str, create: bool) -> None:
    """A fresh database gets its tables; an unreachable one is a clear error, not a traceback."""
    try:
        if has_catalog_tables(url):
            return
        if not create:
            raise _fail(
                f"{mask_url(url)} has no catalog tables yet; run `python -m catalog_loader init-db`",
                EXIT_DATABASE,
            )
        upgrade_database(url)
        out.print(f"Created the catalog tables in {mask_url(url)}", highlight=False)
    except (SQLAlchemyError, MigrationError) as exc:
        raise _fail(f"database {mask_url(url)} is not usable: {exc}", EXIT_DATABASE) from None


class _RichProgress:
    """Progress callback for the importer; a no-op unless stdout is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stdout.isatty()
        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
            console=out, transient=True,
        )  # fmt: skip
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if not self.enabled:
            return None
        self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            label = {"read": "Reading and validating", "write": "Writing to the database"}.get(stage, stage)
            self.tasks[stage] = self.bar.add_task(label, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)


def _progress() -> _RichProgress:
    return _RichProgress()


def _write_outputs(
    result: ImportResult, file: Path, rejects: Path | None, report: Path | None, url: str
) -> None:
    if result.parsed.rejects:
        path = write_rejects_csv(result.parsed, rejects or default_rejects_path(file))
        out.print(f"Rejected rows written to [bold]{path}[/]", highlight=False)
    if report:
        write_report_json(result, report, mask_url(url))
        out.print(f"Report written to [bold]{report}[/]", highlight=False)


def _print_summary(result: ImportResult) -> None:
    s = result.summary
    title = "Import summary (dry run: nothing written)" if s.dry_run else "Import summary"
    table = Table(title=title, show_header=True, header_style="bold")
    for column in ("", "inserted", "updated", "unchanged", "removed"):
        table.add_column(column, justify="right" if column else "left")
    table.add_row("parts", str(s.parts_inserted), str(s.parts_updated), str(s.parts_unchanged),
                  f"{s.parts_pruned} pruned")  # fmt: skip
    table.add_row(
        "fitments", str(s.fitments_inserted), "", str(s.fitments_unchanged), str(s.fitments_removed)
    )
    table.add_row(
        "OEM numbers",
        str(s.oem_numbers_inserted),
        "",
        str(s.oem_numbers_unchanged),
        str(s.oem_numbers_removed),
    )
    out.print(table)
    out.print(
        f"rows read {s.rows_read:,} · rejected {s.rows_rejected:,} · duplicate rows {s.duplicate_rows:,} · "
        f"new makes {s.makes_added} / models {s.models_added} / categories {s.categories_added} · "
        f"{s.seconds:.2f} s",
        highlight=False,
    )
    if result.parsed.ignored_columns:
        out.print(f"Ignored columns: {', '.join(result.parsed.ignored_columns)}", highlight=False)
    for reject in result.parsed.rejects[:SHOWN_REJECTS]:
        out.print(f"  [yellow]line {reject.line}[/]: {reject.reason}", highlight=False)
    if len(result.parsed.rejects) > SHOWN_REJECTS:
        out.print(f"  … and {len(result.parsed.rejects) - SHOWN_REJECTS:,} more in the rejects file")
    for warning in result.warnings:
        err.print(f"[yellow]Warning:[/] {warning}", highlight=False)


# --------------------------------------------------------------------------- sample
@app.command("sample")
def sample_command(
    out_file: Path = typer.Option(..., "--out", help="CSV file to write."),
    rows: int = typer.Option(1000, "--rows", min=1, help="Number of data rows (fitments)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Same seed and rows → same file, byte for byte."),
) -> None:
    """Write a deterministic, realistic Dubai sample catalog CSV."""
    started = time.perf_counter()
    try:
        path = write_sample(out_file, rows, seed)
    except OSError as exc:
        raise _fail(f"cannot write {out_file}: {exc.strerror or exc}", EXIT_BAD_FILE) from None
    out.print(
        f"Wrote {rows:,} rows to [bold]{path}[/] in {time.perf_counter() - started:.2f} s", highlight=False
    )


# --------------------------------------------------------------------------- init-db
@app.command("init-db")
def init_db_command(database_url: str | None = DatabaseUrl) -> None:
    """Create or upgrade the database tables (Alembic migrations to head)."""
    url = _resolve_url(database_url)
    try:
        upgrade_database(url)
    except MigrationError as exc:
        raise _fail(str(exc), EXIT_DATABASE) from None
    out.print(f"Database {mask_url(url)} is up to date", highlight=False)


# --------------------------------------------------------------------------- stats
@app.command("stats")
def stats_command(
    database_url: str | None = DatabaseUrl,
    parts_only: bool = typer.Option(
        False, "--parts-only", help="Print only the number of parts (for scripts: 0 means empty)."
    ),
) -> None:
    """Show how many makes, models, categories, parts, numbers and fitments are loaded."""
    url = _resolve_url(database_url)
    engine = make_engine(url)
    try:
        if not has_catalog_tables(url):
            raise _fail(f"{mask_url(url)} has no catalog tables; run init-db and import first", EXIT_DATABASE)
        counts = _counts(engine)
    except SQLAlchemyError as exc:
        raise _fail(f"database {mask_url(url)} is not usable: {exc}", EXIT_DATABASE) from None
    finally:
        engine.dispose()
    if parts_only:
        typer.echo(counts["parts"])
        return
    table = Table(title=f"Catalog in {mask_url(url)}", header_style="bold")
    table.add_column("")
    table.add_column("count", justify="right")
    for label, value in counts.items():
        table.add_row(label, f"{value:,}")
    out.print(table)


def _counts(engine) -> dict[str, int]:
    queries = {
        "makes": select(func.count()).select_from(Make),
        "models": select(func.count()).select_from(Model),
        "categories": select(func.count()).select_from(Category),
        "parts": select(func.count()).select_from(Part),
        "parts in stock": select(func.count()).select_from(Part).where(Part.stock > 0),
        "OEM numbers": select(func.count()).select_from(PartNumber),
        "fitments": select(func.count()).select_from(Fitment),
    }
    with engine.connect() as conn:
        return {label: conn.execute(query).scalar_one() for label, query in queries.items()}


nlu_export.register(app)
vocabulary_cli.register(app)
review_cli.register(app)
users_cli.register(app)
api_keys_cli.register(app)
privacy_cli.register(app)


def main() -> None:
    app()
