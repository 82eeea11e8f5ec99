"""How `firmas import` shows its work: a progress bar on big files, then a summary table or JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

# why: about 2,000 rows of a typical long-format file; smaller files finish before a bar helps.
PROGRESS_FROM_BYTES = 256 * 1024
STATEMENTS_LISTED = 20
ERRORS_LISTED = 20

_TOTALS = (
    ("statements_created", "statements created"),
    ("statements_matched", "statements matched"),
    ("lines_added", "lines added"),
    ("lines_present", "lines already present"),
    ("names_exact", "names matched exactly"),
    ("names_by_key", "names matched by key"),
    ("organizations_created", "new organizations"),
    ("suggestions_raised", "suggestions raised"),
)


@contextmanager
def progress_bar(total_bytes: int) -> Iterator[Callable[[int], None] | None]:
    """A bar on stderr advanced by bytes read; none for small files or when stderr is no terminal."""
    console = Console(stderr=True)
    if total_bytes < PROGRESS_FROM_BYTES or not console.is_terminal:
        yield None
        return
    columns = (TextColumn("importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("import", total=total_bytes)
        yield lambda size: progress.advance(task, size)


def print_report(report: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        typer.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
        return
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"{report['file_name']}: {report['status']} (import {report['import_id']}), "
                  f"{report['rows_read']:,} rows read, {report['encoding']}, {report['shape']} format")  # fmt: skip
    table = Table("total", "", show_header=False, box=None, padding=(0, 2))
    for key, label in _TOTALS:
        value = report["totals"][key]
        table.add_row(label, "-" if value is None else f"{value:,}")
    table.add_row("rows at fault", f"{report['errors_total']:,}")
    console.print(table)
    for statement in report["statements"][:STATEMENTS_LISTED]:
        state = "created" if statement["created"] else "present"
        console.print(f"{statement['slug']}: {state}, {statement['lines_added']} lines added, "
                      f"{statement['lines_present']} already present")  # fmt: skip
    if len(report["statements"]) > STATEMENTS_LISTED:
        console.print(f"... and {len(report['statements']) - STATEMENTS_LISTED:,} more statements (--json lists all)")
    for error in report["errors"][:ERRORS_LISTED]:
        column = f", column {error['column']}" if error["column"] else ""
        console.print(f"line {error['line']}{column}: {error['reason']}")
    if report["errors_total"] > ERRORS_LISTED:
        console.print(f"... and {report['errors_total'] - ERRORS_LISTED:,} more rows at fault (--json lists 1,000)")
