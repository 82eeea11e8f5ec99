"""Tests put statements in the registry through the real importer: the fields and lines they
describe become a CSV file in memory, loaded with `importer.run_import` like any admin's file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OrganizationName, PrintedName
from app.services import importer
from app.services.bulk import StatementExtras
from app.identity.evidence import OrganizationHints

_PRECISION_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


@dataclass
class StatementFields:
    title: str
    published_on: dt.date | None = None
    date_precision: str | None = None
    slug: str | None = None
    language: str | None = None
    kind: str | None = None
    summary: str | None = None
    body: str | None = None
    translator: str | None = None
    urls: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LineFields:
    raw_text: str  # the organization cell as printed, list number included ("12) Name")
    name: str
    position: str | None = None
    hints: OrganizationHints = OrganizationHints()


@dataclass(frozen=True)
class Imported:
    statement_id: int
    slug: str
    report: dict


def import_statement(session: Session, fields: StatementFields, lines: list[LineFields]) -> Imported:
    """Import one statement's lines; fails the test if the importer refuses any row."""
    options = importer.ImportOptions(
        file_name="test.csv",
        title=fields.title,
        date=_date_text(fields),
        language=fields.language,
        suggestions=False,
        extras=StatementExtras(
            kind=fields.kind,
            slug=fields.slug,
            summary=fields.summary,
            body=fields.body,
            translator=fields.translator,
            urls=tuple(fields.urls),
        ),
    )
    record = importer.run_import(session, io.BytesIO(_csv(lines)), options=options, actor="test")
    assert record.status == "applied", record.report["errors"]
    statement = record.report["statements"][0]
    return Imported(statement["statement_id"], statement["slug"], record.report)


def _date_text(fields: StatementFields) -> str | None:
    if fields.published_on is None:
        return None
    return fields.published_on.strftime(_PRECISION_FORMATS[fields.date_precision or "day"])


def _csv(lines: list[LineFields]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["organization", "position", "region", "acronym", "country"])
    for line in lines:
        hints = line.hints
        writer.writerow([line.raw_text, line.position or "", hints.region or "", hints.acronym or "", hints.country or ""])
    return out.getvalue().encode()


def organization_printed_as(session: Session, text: str) -> int:
    """The id of the one organization whose lines are printed as `text` (fails if several or none)."""
    query = (
        select(OrganizationName.organization_id)
        .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
        .where(PrintedName.text == text)
    )
    return session.scalars(query).one()
