"""Files an import leaves for staff: the rejects CSV and the JSON report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from catalog.csv_format import ParsedCatalog, Reject
from catalog.importer import ImportResult


def default_rejects_path(csv_path: Path) -> Path:
    """``stock.csv`` → ``stock.csv.rejects.csv`` next to the input."""
    return csv_path.with_name(csv_path.name + ".rejects.csv")


def _column_names(parsed: ParsedCatalog) -> list[str]:
    return [name or f"column_{i + 1}" for i, name in enumerate(parsed.columns)]


def _split(reject: Reject, width: int) -> tuple[list[str], list[str]]:
    """The reject's values padded to the header width, and any extra fields beyond it."""
    values = list(reject.values)
    return (values + [""] * width)[:width], values[width:]


def write_rejects_csv(parsed: ParsedCatalog, path: Path) -> Path:
    """Original columns plus ``line`` and ``reason``; fix the rows in the source export."""
    columns = _column_names(parsed)
    width = len(columns)
    has_extra = any(len(r.values) > width for r in parsed.rejects)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel opens Arabic correctly
        writer = csv.writer(handle, delimiter=parsed.delimiter)
        writer.writerow([*columns, "line", "reason", *(["extra_fields"] if has_extra else [])])
        for reject in parsed.rejects:
            values, extra = _split(reject, width)
            row = [*values, reject.line, reject.reason]
            if has_extra:
                row.append(parsed.delimiter.join(extra))
            writer.writerow(row)
    return path


def report_data(result: ImportResult, database: str) -> dict:
    """The JSON report: summary, what was ignored, and every rejected row with its raw values."""
    parsed = result.parsed
    columns = _column_names(parsed)
    rejects = []
    for reject in parsed.rejects:
        values, extra = _split(reject, len(columns))
        entry = {
            "line": reject.line,
            "reason": reject.reason,
            "values": dict(zip(columns, values, strict=True)),
        }
        if extra:
            entry["extra_fields"] = extra
        rejects.append(entry)
    return {
        "file": str(parsed.path),
        "database": database,
        "summary": result.summary.as_dict(),
        "columns": parsed.columns,
        "ignored_columns": parsed.ignored_columns,
        "warnings": result.warnings,
        "rejects": rejects,
    }


def write_report_json(result: ImportResult, path: Path, database: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report_data(result, database), ensure_ascii=False, indent=2), encoding="utf-8")
    return path
