"""Conversation review and shop analytics from the command line (the console's twin, issue 16).

    python -m catalog_loader review list [--marker nlu_fallback] [--language ar] [--since 2026-12-01]
    python -m catalog_loader review show 971501234567:1
    python -m catalog_loader review correct 971501234567:1 14 --intent inform --entity 5:17:model:Land Cruiser
    python -m catalog_loader review export-corrections [--since 2026-12-01] [--out reviewed.patch]
    python -m catalog_loader review story 971501234567:1 [--note "asked twice for the model"]
    python -m catalog_loader review analytics funnel [--grain week] [--out funnel.csv]

Reads ``TRACKER_DB_URL`` (Rasa's SQL tracker store, default ``sqlite:///var/tracker.db``) and,
for the funnel's lead and won stages, ``DATABASE_URL``. Writes into the project: reviewed
examples to ``data/nlu/reviewed.yml``, stories to ``tests/stories/reviewed/``. Exit codes:
0 done, 2 bad command line, 3 conflict or duplicate (nothing written), 4 tracker store or
database problem, 6 no such conversation or message.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table as RichTable

from insights.annotations import AnnotationError, Span
from insights.corrections import CorrectionError
from insights.language import LANGUAGES
from insights.markers import LABELS, MARKERS
from insights.periods import GRAINS, local_time
from insights.report import TABLES
from insights.service import NotFound, ReviewService
from insights.settings import InsightsSettings
from insights.store import TrackerStoreError
from shopkernel.env import SettingsError

EXIT_USAGE, EXIT_NOT_WRITTEN, EXIT_STORE, EXIT_NOT_FOUND = 2, 3, 4, 6
PROJECT: Path | None = None  # the checkout written to; None: $REVIEW_PROJECT_DIR or this one

review_app = typer.Typer(
    help="Review conversations (markers, corrections, test stories) and export the shop's analytics.",
    no_args_is_help=True,
)
out = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

TrackerUrl = typer.Option(None, "--tracker-url", help="Default: $TRACKER_DB_URL or sqlite:///var/tracker.db.")
Since = typer.Option(None, "--since", help="First day (YYYY-MM-DD, shop time).")
Until = typer.Option(None, "--until", help="Last day, included (YYYY-MM-DD).")


def register(app: typer.Typer) -> None:
    """Add the ``review`` command group to the staff CLI."""
    app.add_typer(review_app, name="review")


def _fail(message: str, code: int) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _service(tracker_url: str | None) -> ReviewService:
    try:
        settings = InsightsSettings.from_env(root=PROJECT)
    except SettingsError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    if tracker_url:
        settings = InsightsSettings(**{**settings.__dict__, "tracker_url": tracker_url})
    return ReviewService(settings)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} must be a date like 2026-12-01, not {value!r}", EXIT_USAGE) from None


def _run(action):  # noqa: ANN001, ANN202 - maps domain errors to exit codes
    try:
        return action()
    except TrackerStoreError as exc:
        raise _fail(str(exc), EXIT_STORE) from None
    except NotFound as exc:
        raise _fail(str(exc), EXIT_NOT_FOUND) from None
    except (CorrectionError, AnnotationError) as exc:
        raise _fail(str(exc), EXIT_USAGE) from None


@review_app.command("list")
def list_command(
    marker: str | None = typer.Option(None, "--marker", help=f"One of: {', '.join(MARKERS)}."),
    language: str | None = typer.Option(None, "--language", help="en, ar or arabizi."),
    since: str | None = Since,
    until: str | None = Until,
    all_: bool = typer.Option(False, "--all", help="Also conversations without any marker."),
    tracker_url: str | None = TrackerUrl,
) -> None:
    """Flagged conversations, newest first, and how many carry each marker."""
    if marker and marker not in MARKERS:
        raise _fail(f"unknown marker {marker!r}; use one of {', '.join(MARKERS)}", EXIT_USAGE)
    if language and language not in LANGUAGES:
        raise _fail(f"unknown language {language!r}; use en, ar or arabizi", EXIT_USAGE)
    service = _service(tracker_url)
    queue = _run(
        lambda: service.queue(_day(since, "--since"), _day(until, "--until"), marker, language, all_)
    )
    table = RichTable(title=f"{len(queue.items)} conversations ({queue.flagged} of {queue.total} flagged)")
    for column in ("conversation", "started", "language", "messages", "markers"):
        table.add_column(column)
    for item in queue.items:
        c = item.conversation
        started = local_time(c.started_at, service.settings.timezone).strftime("%Y-%m-%d %H:%M")
        table.add_row(c.key, started, item.language, str(len(c.customer_turns)), ", ".join(item.markers))
    out.print(table)
    out.print("  ".join(f"{LABELS[m]}: {n}" for m, n in queue.counts.items()), highlight=False)
    service.close()


@review_app.command("show")
def show_command(
    key: str = typer.Argument(..., help="<sender id>:<session>"), tracker_url: str | None = TrackerUrl
):
    """Every customer message with the intent, confidence, entities, actions and slots after it."""
    service = _service(tracker_url)
    item = _run(lambda: service.item(key))
    for turn in item.conversation.turns:
        flags = ", ".join(f.marker for f in item.flags_on(turn.number))
        state = " (replaced by the rephraser)" if turn.reverted else " (while paused)" if turn.paused else ""
        out.print(f"[bold]#{turn.number}[/] event {turn.event_index}{state}: {turn.text}", highlight=False)
        confidence = f"{turn.confidence:.2f}" if turn.confidence is not None else "-"
        entities = ", ".join(f"{e.entity}={e.value!r} ({e.text!r})" for e in turn.entities) or "-"
        out.print(f"   intent {turn.intent} {confidence} · entities {entities}", highlight=False)
        out.print(
            f"   actions {', '.join(turn.actions) or '-'}" + (f" · [yellow]{flags}[/]" if flags else "")
        )
        slots = {k: v for k, v in turn.slots_after.items() if k != "search_results" and v is not None}
        out.print(f"   slots {slots}", highlight=False)
    service.close()


@review_app.command("correct")
def correct_command(
    key: str = typer.Argument(..., help="<sender id>:<session>"),
    event: int = typer.Argument(..., help="The message's event number (see `review show`)."),
    intent: str = typer.Option(..., "--intent", help="The right intent."),
    entity: list[str] = typer.Option(
        None, "--entity", help="start:end:entity[:canonical value] (repeatable)."
    ),
    tracker_url: str | None = TrackerUrl,
) -> None:
    """Save the right reading of one message to data/nlu/reviewed.yml (not on conflict)."""
    spans = [_span(text) for text in entity or []]
    service = _service(tracker_url)
    result = _run(lambda: service.correct(key, event, intent, spans, reviewer="cli"))
    if result.written:
        out.print(f"Added to {service.examples.path}: - {result.example}", highlight=False)
        return
    for other in result.conflicts:
        err.print(f"  {other.file}: intent {other.intent}: {other.example}", highlight=False)
    raise _fail(f"{result.status}: nothing written", EXIT_NOT_WRITTEN)


@review_app.command("export-corrections")
def export_corrections_command(
    since: str | None = Since,
    out_file: Path | None = typer.Option(None, "--out", help="Write the patch here (default: stdout)."),
) -> None:
    """Saved corrections as a unified diff of data/nlu/reviewed.yml (`git apply` it in a branch)."""
    service = _service(None)
    first = _day(since, "--since")
    start = datetime.combine(first, datetime.min.time()).timestamp() if first else None
    patch = service.patch(start)
    if not patch:
        err.print("No corrections saved in that period.")
        return
    if out_file:
        out_file.write_text(patch, encoding="utf-8")
        err.print(f"Patch written to {out_file}")
    else:
        sys.stdout.write(patch)


@review_app.command("story")
def story_command(
    key: str = typer.Argument(..., help="<sender id>:<session>"),
    note: str = typer.Option("", "--note", help="Why this conversation is kept (in the story's name)."),
    tracker_url: str | None = TrackerUrl,
) -> None:
    """Write the conversation (with its corrections) as a Rasa test story in tests/stories/reviewed/."""
    service = _service(tracker_url)
    path = _run(lambda: service.save_story(key, note))
    out.print(f"Test story written to {path}", highlight=False)
    service.close()


@review_app.command("analytics")
def analytics_command(
    table: str = typer.Argument(..., help=f"One of: {', '.join(TABLES)}."),
    grain: str = typer.Option("day", "--grain", help="day, week or all."),
    since: str | None = Since,
    until: str | None = Until,
    out_file: Path | None = typer.Option(None, "--out", help="CSV file (default: stdout)."),
    tracker_url: str | None = TrackerUrl,
) -> None:
    """One analytics table as CSV."""
    if table not in TABLES:
        raise _fail(f"unknown table {table!r}; use one of {', '.join(TABLES)}", EXIT_USAGE)
    if grain not in GRAINS:
        raise _fail(f"unknown --grain {grain!r}; use day, week or all", EXIT_USAGE)
    service = _service(tracker_url)
    result = _run(lambda: service.analytics([table], _day(since, "--since"), _day(until, "--until"), grain))
    for note in result.notes:
        err.print(f"[yellow]Warning:[/] {note}", highlight=False)
    csv_text = result.tables[table].to_csv()
    if out_file:
        out_file.write_text(csv_text, encoding="utf-8")
        err.print(f"{len(result.tables[table].rows)} rows written to {out_file}")
    else:
        sys.stdout.write(csv_text)
    service.close()


def _span(text: str) -> Span:
    parts = text.split(":", 3)
    if len(parts) < 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise _fail(
            f"--entity {text!r}: use start:end:entity[:value], e.g. 5:17:model:Land Cruiser", EXIT_USAGE
        )
    return Span(int(parts[0]), int(parts[1]), parts[2], parts[3] if len(parts) == 4 else None)


@review_app.command("compare-nlu")
def compare_nlu_command(
    before: Path = typer.Argument(..., help="results/nlu-heldout.json saved before the change."),
    after: Path = typer.Argument(Path("results/nlu-heldout.json"), help="The same file after retraining."),
) -> None:
    """Held-out NLU figures before and after a change, and the messages it fixed or broke."""
    from insights.nlu_compare import compare, load_results

    try:
        table, fixed, broken = compare(load_results(before), load_results(after))
    except ValueError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None
    shown = RichTable(title=table.title)
    for column in table.columns:
        shown.add_column(column, justify="left" if column == "measure" else "right")
    for name, b, a, change in table.rows:
        colour = "" if not change else "green" if (change > 0) != (name == "nlu_fallback_count") else "red"
        delta = f"[{colour}]{change:+.3f}[/]" if change else ("0" if change == 0 else "–")
        shown.add_row(name, _figure(b), _figure(a), delta)
    out.print(shown)
    for text in fixed:
        out.print(f"[green]fixed[/]  {text}", highlight=False)
    for text in broken:
        out.print(f"[red]broken[/] {text}", highlight=False)


def _figure(value: object) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
