"""The one import: parse a file, resolve and write its signature lines, report, record the attempt.

`run_import` is what the CLI, the upload endpoint and the seed call. It works inside the caller's
transaction: the data goes in a savepoint that a dry run or a refused file rolls back, and the
`Import` record of the attempt is written either way; the caller commits. A crash or a killed
process leaves nothing, since nothing is committed before the end.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import csvio, metrics
from app.db import refresh_planner_statistics
from app.errors import InvalidInput, NotFound
from app.models import Import, Organization, SignatureLine, utcnow
from app.services import review, signing_stats
from app.services.locks import wait_for_identity_lock
from app.services.bulk import Loader, LoadResult, RowProblem, larger_page_cache, StatementExtras, StatementReport
from app.services.paging import Page, paginate

ERRORS_REPORTED = 1_000
SKIPPED_LINES_REPORTED = 200


@dataclass(frozen=True)
class ImportOptions:
    """How to read the file and what to do with it. The statement fields (title, date, url,
    language) fill the cells a file leaves empty or lacks: a single-statement list needs them."""

    file_name: str = "upload.csv"
    text: bool = False  # a plain-text list, one name a line ("12) Name"), not CSV
    encoding: str | None = None
    delimiter: str | None = None
    title: str | None = None
    date: str | None = None
    url: str | None = None
    language: str | None = None
    country: str | None = None  # ISO 3166-1 of organizations whose row gives none
    dry_run: bool = False
    skip_invalid: bool = False
    suggestions: bool = True  # False defers duplicate suggestions to `firmas review refresh`
    extras: StatementExtras | None = None


@dataclass
class Totals:
    statements_created: int = 0
    statements_matched: int = 0
    lines_added: int = 0
    lines_present: int = 0
    names_exact: int = 0
    names_by_key: int = 0
    organizations_created: int = 0
    organizations_kept_apart: int = 0  # created apart from a same-named organization (see identity.attribution)
    homonym_suggestions: int = 0  # of those, pairs raised for review
    suggestions_raised: int | None = None  # None: not looked for (deferred, refused or dry run without)


@dataclass
class SkippedLine:
    line: int
    text: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused file, would do with the valid rows).

    Per line, exactly one of names_exact (the printed name was known: in the registry or earlier
    in the file), names_by_key (a new printed name joining an organization by match key) and
    organizations_created (a new printed name and a new organization) is counted.
    """

    import_id: int
    file_name: str
    sha256: str
    bytes: int
    status: str  # applied, dry_run or refused
    dry_run: bool
    skip_invalid: bool
    encoding: str
    delimiter: str | None
    shape: str
    columns: dict[str, str]
    ignored_columns: list[str]
    rows_read: int
    rows_valid: int
    rows_invalid: int
    totals: Totals
    statements: list[StatementReport]
    errors: list[RowProblem]
    errors_total: int
    skipped_lines: list[SkippedLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class _CountingReader(io.RawIOBase):
    """Passes a stream through, hashing and counting its bytes and reporting progress."""

    def __init__(self, stream: BinaryIO, progress: Callable[[int], None] | None):
        self._stream = stream
        self._progress = progress
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.sha256.update(data)
        self.bytes += size
        if self._progress and size:
            self._progress(size)
        return size


def run_import(
    session: Session,
    source: BinaryIO,
    *,
    options: ImportOptions,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> Import:
    """Import `source` and record the attempt; returns the `Import` row, whose `report` is the
    report as a dict. Flushes, never commits.

    Row problems do not raise: the import is refused (status "refused", nothing but the record
    written) unless `options.skip_invalid`, which writes the valid rows. A file that cannot be read
    at all (not text, no organization column, an option that is not a date) raises InvalidInput
    naming the line and column, and the record is not kept either.
    """
    # why: two imports that both find a name new would both create its organization, and a merge
    # during an import could strand a new line on the merged side.
    wait_for_identity_lock(session)
    record = Import(file_name=options.file_name[:500], actor=actor, dry_run=options.dry_run, status="refused", report={})
    # why: on SQLite the write transaction must be open before the savepoint, or releasing the
    # savepoint would commit on its own. Opening it also takes SQLite's one write lock, so a
    # second import waits (busy_timeout) and then reads what the first one wrote.
    session.add(record)
    session.flush()
    reader = _CountingReader(source, progress)
    savepoint = session.begin_nested()
    try:
        signatures = _read(reader, options)
        with larger_page_cache(session):
            result = Loader(session, import_id=record.id, country=options.country, extras=options.extras).load(signatures)
            _refresh_signing_counts(session, result)
        refused = bool(result.errors) and not options.skip_invalid
        suggestions = None
        if options.suggestions and not refused:
            suggestions = review.raise_suggestions(session, involving=result.new_organization_ids) if result.new_organization_ids else 0
    except csvio.InputError as error:
        savepoint.rollback()
        raise InvalidInput(f"{error}.", line=error.line, field=error.column) from None
    except BaseException:
        savepoint.rollback()
        raise
    if refused or options.dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
        if any(report.lines_added for report in result.statements):
            refresh_planner_statistics(session.connection())
    status = "refused" if refused else "dry_run" if options.dry_run else "applied"
    report = _report(record.id, options, reader, signatures, result, status, suggestions)
    record.status, record.report, record.finished_at = status, report.as_dict(), utcnow()
    record.file_sha256, record.file_bytes = report.sha256, report.bytes
    session.flush()
    metrics.on_commit(session, lambda: _count(report))
    return record


def _count(report: ImportReport) -> None:
    metrics.IMPORTS.labels(report.status).inc()
    if report.status == "applied":
        metrics.IMPORT_ROWS.labels("read").inc(report.rows_read)
        metrics.IMPORT_ROWS.labels("lines_added").inc(report.totals.lines_added)


# Beyond this many statements gaining lines, recounting everything costs less than id lists.
_FULL_RECOUNT_STATEMENTS = 500


def _refresh_signing_counts(session: Session, result: LoadResult) -> None:
    """The stored counts of every statement that gained lines, every organization on them and
    their regions, and of the regions the file's region column moved organizations out of or into."""
    touched = [report.statement_id for report in result.statements if report.lines_added]
    if len(touched) > _FULL_RECOUNT_STATEMENTS:
        signing_stats.refresh(session)
        signing_stats.refresh_regions(session)
        return
    signers = session.execute(
        select(Organization.id, Organization.region_code)
        .join(SignatureLine, SignatureLine.organization_id == Organization.id)
        .where(SignatureLine.statement_id.in_(touched))
        .distinct()
    ).all()
    signing_stats.refresh(session, organization_ids=[signer.id for signer in signers], statement_ids=touched)
    signing_stats.refresh_regions(session, {signer.region_code for signer in signers} | result.moved_regions)


def _read(reader: _CountingReader, options: ImportOptions) -> csvio.SignatureFile:
    stream = io.BufferedReader(reader, buffer_size=1 << 16)
    statement = {
        "statement_title": options.title,
        "statement_date": options.date,
        "statement_url": options.url,
        "statement_language": options.language,
    }
    if options.text:
        return csvio.read_text(stream, encoding=options.encoding, **statement)
    return csvio.read_csv(stream, encoding=options.encoding, delimiter=options.delimiter, **statement)


def _report(
    import_id: int,
    options: ImportOptions,
    reader: _CountingReader,
    signatures: csvio.SignatureFile,
    result: LoadResult,
    status: str,
    suggestions: int | None,
) -> ImportReport:
    totals = Totals(suggestions_raised=suggestions)
    for statement in result.statements:
        if statement.created:
            totals.statements_created += 1
        else:
            totals.statements_matched += 1
        totals.lines_added += statement.lines_added
        totals.lines_present += statement.lines_present
        totals.names_exact += statement.names_exact
        totals.names_by_key += statement.names_by_key
        totals.organizations_created += statement.organizations_created
        totals.organizations_kept_apart += statement.organizations_kept_apart
    totals.homonym_suggestions = result.homonym_suggestions
    return ImportReport(
        import_id=import_id,
        file_name=options.file_name,
        sha256=reader.sha256.hexdigest(),
        bytes=reader.bytes,
        status=status,
        dry_run=options.dry_run,
        skip_invalid=options.skip_invalid,
        encoding=signatures.encoding,
        delimiter=signatures.delimiter,
        shape=signatures.shape,
        columns=signatures.columns,
        ignored_columns=signatures.ignored_columns,
        rows_read=result.rows_valid + len(result.errors),
        rows_valid=result.rows_valid,
        rows_invalid=len(result.errors),
        totals=totals,
        statements=result.statements,
        errors=result.errors[:ERRORS_REPORTED],
        errors_total=len(result.errors),
        skipped_lines=[SkippedLine(line, text) for line, text in signatures.skipped_lines[:SKIPPED_LINES_REPORTED]],
    )


def get(session: Session, import_id: int) -> Import:
    record = session.get(Import, import_id)
    if record is None:
        raise NotFound(f"No import with id {import_id}.", parameter="import_id")
    return record


def list_imports(session: Session, *, limit: int, cursor: str | None = None) -> Page[Any]:
    """Import attempts, newest first."""
    return paginate(
        session, select(Import), keys=[Import.id], key_of=lambda row: [row.id], limit=limit, cursor=cursor, descending=True
    )
