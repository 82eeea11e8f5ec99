"""Bulk downloads of the whole dataset: statements, organizations and signature lines as CSV, and
organizations with their signatures as Popolo-style JSON.

Every export is a generator over a server-side cursor (`yield_per`), so memory stays flat however
large the registry; the caller streams the chunks and owns the session, which must stay open
until the last chunk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

import orjson
from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from app.models import Organization, OrganizationName, PrintedName, SignatureLine, Statement, StatementUrl
from app.identity.regions import region_name
from app.services.exports import neutralize

BATCH = 1000  # rows fetched per round trip, and CSV rows per chunk sent
BOM = "\ufeff"

STATEMENT_COLUMNS = (
    "id", "slug", "title", "kind", "date", "date_precision", "language", "translator", "addressees",
    "urls", "line_count", "organization_count", "summary", "body", "notes",
)
ORGANIZATION_COLUMNS = (
    "id", "slug", "name", "acronym", "country", "region_code", "region_name", "region_source", "sector",
    "sector_source", "merged_into_id", "printed_names", "statement_count", "first_signed_on", "last_signed_on",
)
SIGNATURE_COLUMNS = (
    "statement_id", "statement_slug", "statement_title", "statement_date", "sort_order", "position",
    "raw_text", "printed_name", "organization_id", "organization_slug", "organization_name",
    "region_code", "region_source", "is_repeat",
)
LIST_SEPARATOR = " | "  # between printed names, URLs and addressees in one CSV cell


def _streamed(session: Session, query: Select) -> Iterator[Any]:
    return iter(session.execute(query, execution_options={"yield_per": BATCH}))


def at_precision(value: dt.date | None, precision: str | None) -> str:
    """A date as precise as its source: '2021-11' for a month, '2024' for a year."""
    if value is None:
        return ""
    return {"year": value.isoformat()[:4], "month": value.isoformat()[:7]}.get(precision or "day", value.isoformat())


def _flag(value: bool) -> str:
    return "true" if value else "false"


# --- statements ---------------------------------------------------------------------------------


def statement_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every statement by id, with its URLs, line count and distinct-organization count."""
    counts = (
        select(
            SignatureLine.statement_id,
            func.count().label("lines"),
            func.count(distinct(SignatureLine.organization_id)).label("organizations"),
        )
        .group_by(SignatureLine.statement_id)
        .subquery()
    )
    urls = (
        select(StatementUrl.statement_id, func.aggregate_strings(StatementUrl.url, LIST_SEPARATOR).label("urls"))
        .group_by(StatementUrl.statement_id)
        .subquery()
    )
    query = (
        select(Statement, counts.c.lines, counts.c.organizations, urls.c.urls)
        .outerjoin(counts, counts.c.statement_id == Statement.id)
        .outerjoin(urls, urls.c.statement_id == Statement.id)
        .order_by(Statement.id)
    )
    for statement, lines, organizations, statement_urls in _streamed(session, query):
        yield {
            "id": statement.id,
            "slug": statement.slug,
            "title": statement.title,
            "kind": statement.kind,
            "date": at_precision(statement.published_on, statement.date_precision),
            "date_precision": statement.date_precision,
            "language": statement.language,
            "translator": statement.translator,
            "addressees": LIST_SEPARATOR.join(statement.addressees or []),
            "urls": statement_urls,
            "line_count": lines or 0,
            "organization_count": organizations or 0,
            "summary": statement.summary,
            "body": statement.body,
            "notes": statement.notes,
        }


# --- organizations ------------------------------------------------------------------------------


def _signing_stats() -> Select:
    """Per organization, by id: statements signed, and the first and last of their dates."""
    return (
        select(
            SignatureLine.organization_id,
            func.count(distinct(SignatureLine.statement_id)).label("statements"),
            func.min(Statement.published_on).label("first"),
            func.max(Statement.published_on).label("last"),
        )
        .join(Statement, Statement.id == SignatureLine.statement_id)
        .group_by(SignatureLine.organization_id)
        .order_by(SignatureLine.organization_id)
    )


@dataclass(frozen=True, slots=True)
class _Signed:
    statements: int = 0
    first: dt.date | None = None
    last: dt.date | None = None


def _organizations_with_names(session: Session, *, live_only: bool) -> Iterator[tuple[Any, list[str], _Signed]]:
    """(organization row, its printed names in order, its signing stats), by organization id.

    Two queries ordered by organization id, merged as they stream: no per-organization query, and
    no SQL join to the grouped stats, which SQLite runs as a nested scan (quadratic).
    """
    query = (
        select(
            Organization.id, Organization.slug, Organization.name, Organization.acronym, Organization.country,
            Organization.region_code, Organization.region_source, Organization.sector, Organization.sector_source,
            Organization.merged_into_id, PrintedName.text.label("printed"),
        )
        .outerjoin(OrganizationName, OrganizationName.organization_id == Organization.id)
        .outerjoin(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
        .order_by(Organization.id, PrintedName.id)
    )
    if live_only:
        query = query.where(Organization.merged_into_id.is_(None))
    stats = _streamed(session, _signing_stats())
    pending = next(stats, None)
    for organization_id, rows in groupby(_streamed(session, query), key=lambda row: row.id):
        while pending is not None and pending.organization_id < organization_id:
            pending = next(stats, None)
        signed = _Signed()
        if pending is not None and pending.organization_id == organization_id:
            signed = _Signed(pending.statements, pending.first, pending.last)
        rows = list(rows)
        yield rows[0], [row.printed for row in rows if row.printed is not None], signed


def organization_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every organization by id, merged ones too (with `merged_into_id`, and no names left)."""
    for org, printed, signed in _organizations_with_names(session, live_only=False):
        yield {
            "id": org.id,
            "slug": org.slug,
            "name": org.name,
            "acronym": org.acronym,
            "country": org.country,
            "region_code": org.region_code,
            "region_name": region_name(org.region_code) if org.region_code else None,
            "region_source": org.region_source,
            "sector": org.sector,
            "sector_source": org.sector_source,
            "merged_into_id": org.merged_into_id,
            "printed_names": LIST_SEPARATOR.join(printed),
            "statement_count": signed.statements,
            "first_signed_on": signed.first.isoformat() if signed.first else None,
            "last_signed_on": signed.last.isoformat() if signed.last else None,
        }


# --- signature lines ----------------------------------------------------------------------------


def _signature_query() -> Select:
    return (
        select(
            SignatureLine.id, SignatureLine.sort_order, SignatureLine.position, SignatureLine.raw_text,
            SignatureLine.is_repeat, Statement.id.label("statement_id"), Statement.slug.label("statement_slug"),
            Statement.title.label("statement_title"), Statement.published_on, Statement.date_precision,
            PrintedName.text.label("printed_name"), Organization.id.label("organization_id"),
            Organization.slug.label("organization_slug"), Organization.name.label("organization_name"),
            Organization.region_code, Organization.region_source,
        )
        .join(Statement, Statement.id == SignatureLine.statement_id)
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .join(Organization, Organization.id == SignatureLine.organization_id)
        .order_by(Statement.id, SignatureLine.sort_order)
    )


def signature_rows(session: Session) -> Iterator[dict[str, Any]]:
    """Every signature line as printed, by statement and printed order, with the organization it names now."""
    for line in _streamed(session, _signature_query()):
        yield {
            "statement_id": line.statement_id,
            "statement_slug": line.statement_slug,
            "statement_title": line.statement_title,
            # why a day: one type in every row, as tools that infer a column's type need (frictionless);
            # the statement's precision is statements.csv's date_precision (by statement_id).
            "statement_date": line.published_on.isoformat() if line.published_on else "",
            "sort_order": line.sort_order,
            "position": line.position,
            "raw_text": line.raw_text,
            "printed_name": line.printed_name,
            "organization_id": line.organization_id,
            "organization_slug": line.organization_slug,
            "organization_name": line.organization_name,
            "region_code": line.region_code,
            "region_source": line.region_source,
            "is_repeat": _flag(line.is_repeat),
        }


# --- CSV ----------------------------------------------------------------------------------------


def csv_chunks(
    columns: Iterable[str], rows: Iterable[dict[str, Any]], *, bom: bool = False, delimiter: str = ","
) -> Iterator[bytes]:
    """UTF-8 CSV with a header, in chunks of BATCH rows; each cell made safe to open in a
    spreadsheet (`exports.neutralize`). `bom` starts it with a byte-order mark, which Excel needs
    to read the accents right; `delimiter` ";" suits a spreadsheet set to a comma-decimal locale."""
    columns = list(columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=delimiter)
    if bom:
        buffer.write(BOM)
    writer.writerow(columns)
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralize(row[column]) for column in columns])
        if count % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# --- Popolo JSON --------------------------------------------------------------------------------


def _popolo_organization(org: Any, printed: list[str]) -> dict[str, Any]:
    other_names = [{"name": name, "note": "printed"} for name in printed]
    if org.acronym:
        other_names.append({"name": org.acronym, "note": "acronym"})
    popolo = {
        "id": f"organization/{org.id}",
        "name": org.name,
        "other_names": other_names,
        "identifiers": [
            {"scheme": "firmas", "identifier": str(org.id)},
            {"scheme": "firmas-slug", "identifier": org.slug},
        ],
        "classification": org.sector,
        "area_id": org.region_code,
        "country": org.country,
    }
    if org.region_code:  # why: Popolo's `area` must be an object; only `area_id` may be null
        popolo["area"] = {"id": org.region_code, "name": region_name(org.region_code)}
    return popolo


def _popolo_events(session: Session) -> Iterator[dict[str, Any]]:
    urls: dict[int, list[str]] = {}
    for statement_id, url in session.execute(select(StatementUrl.statement_id, StatementUrl.url).order_by(StatementUrl.id)):
        urls.setdefault(statement_id, []).append(url)
    for statement in session.scalars(select(Statement).order_by(Statement.id), execution_options={"yield_per": BATCH}):
        yield {
            "id": f"statement/{statement.id}",
            "name": statement.title,
            "classification": statement.kind,
            "start_date": at_precision(statement.published_on, statement.date_precision) or None,
            "identifiers": [
                {"scheme": "firmas", "identifier": str(statement.id)},
                {"scheme": "firmas-slug", "identifier": statement.slug},
            ],
            "sources": [{"url": url} for url in urls.get(statement.id, [])],
            "language": statement.language,
        }


def _popolo_signatures(session: Session) -> Iterator[dict[str, Any]]:
    for line in _streamed(session, _signature_query()):
        yield {
            "id": f"signature/{line.id}",
            "event_id": f"statement/{line.statement_id}",
            "organization_id": f"organization/{line.organization_id}",
            "position": line.position or None,
            "raw_text": line.raw_text,
            "printed_name": line.printed_name,
            "is_repeat": line.is_repeat,
        }


def popolo_chunks(session: Session) -> Iterator[bytes]:
    """{"organizations": [...], "events": [...], "signatures": [...]}, written as it is read.

    Organizations are the live ones (a merged organization's names belong to its survivor);
    events are statements; each signature links an event to an organization (see docs/exports.md).
    """
    sections = (
        ("organizations", (_popolo_organization(org, printed) for org, printed, _ in _organizations_with_names(session, live_only=True))),
        ("events", _popolo_events(session)),
        ("signatures", _popolo_signatures(session)),
    )
    opening = b"{"
    for name, items in sections:
        yield opening + orjson.dumps(name) + b":["
        yield from _json_array_items(items)
        yield b"]"
        opening = b","
    yield b"}\n"


def _json_array_items(items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The items of a JSON array, comma-separated, in chunks of BATCH items."""
    chunk: list[bytes] = []
    separator = b""
    for item in items:
        chunk.append(orjson.dumps(item))
        if len(chunk) == BATCH:
            yield separator + b",".join(chunk)
            chunk, separator = [], b","
    if chunk:
        yield separator + b",".join(chunk)
