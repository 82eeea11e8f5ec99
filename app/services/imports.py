"""Load a statement and its printed signature lines: idempotent, within the caller's transaction.

The same printed name on the same statement at the same position is the same line, so loading a
list twice adds nothing the second time, and an overlapping list adds only its new lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import names
from app.errors import InvalidInput
from app.models import DATE_PRECISIONS, STATEMENT_KINDS, PrintedName, SignatureLine, Statement, StatementUrl
from app.services import signing_stats
from app.services.identity import NameResolver, OrganizationHints


@dataclass
class StatementFields:
    title: str
    published_on: dt.date | None = None
    date_precision: str | None = None
    urls: list[str] = field(default_factory=list)
    kind: str = "joint_statement"
    language: str | None = None
    translator: str | None = None
    addressees: list[str] = field(default_factory=list)
    summary: str | None = None
    body: str | None = None
    notes: str | None = None
    slug: str | None = None


@dataclass(frozen=True, slots=True)
class LineFields:
    raw_text: str
    name: str
    position: str | None = None
    hints: OrganizationHints = OrganizationHints()


@dataclass
class StatementReport:
    statement_id: int
    slug: str
    created: bool
    lines_added: int = 0
    lines_present: int = 0
    names_exact: int = 0
    names_by_key: int = 0
    organizations_created: int = 0


def import_statement(
    session: Session, fields: StatementFields, lines: Iterable[LineFields], *, resolver: NameResolver | None = None
) -> StatementReport:
    """Find or create the statement, then add each line not already on it. Flushes, never commits."""
    _validate(fields)
    statement, created = _find_or_create_statement(session, fields)
    report = StatementReport(statement_id=statement.id, slug=statement.slug, created=created)
    resolver = resolver or NameResolver(session)
    existing = _existing_lines(session, statement.id)
    organizations_on_statement = _organizations_on(session, statement.id)
    next_order = (session.scalar(select(func.max(SignatureLine.sort_order)).where(SignatureLine.statement_id == statement.id)) or 0) + 1
    for line in lines:
        resolved = resolver.resolve(line.name, line.hints)
        _count_resolution(report, resolved.how)
        line_key = (resolved.printed_name_id, line.position or "")
        if line_key in existing:
            report.lines_present += 1
            continue
        session.add(
            SignatureLine(
                statement_id=statement.id,
                sort_order=next_order,
                position=line.position or "",
                raw_text=line.raw_text,
                printed_name_id=resolved.printed_name_id,
                is_repeat=resolved.organization_id in organizations_on_statement,
            )
        )
        existing.add(line_key)
        organizations_on_statement.add(resolved.organization_id)
        next_order += 1
        report.lines_added += 1
    if report.lines_added:
        signing_stats.refresh(session, organization_ids=organizations_on_statement, statement_ids=[statement.id])
    session.flush()
    return report


def _count_resolution(report: StatementReport, how: str) -> None:
    if how == "exact":
        report.names_exact += 1
    elif how == "key":
        report.names_by_key += 1
    else:
        report.organizations_created += 1


def _validate(fields: StatementFields) -> None:
    if not fields.title.strip():
        raise InvalidInput("The statement title is empty.", field="statement_title")
    if fields.kind not in STATEMENT_KINDS:
        raise InvalidInput(f"Unknown statement kind '{fields.kind}'; use one of {', '.join(STATEMENT_KINDS)}.", field="kind")
    if (fields.published_on is None) != (fields.date_precision is None):
        raise InvalidInput("A date needs its precision (day, month or year) and vice versa.", field="statement_date")
    if fields.date_precision is not None and fields.date_precision not in DATE_PRECISIONS:
        raise InvalidInput(f"Unknown date precision '{fields.date_precision}'.", field="statement_date")


def find_statement(session: Session, fields: StatementFields) -> Statement | None:
    """A statement is the same when it shares a URL, else when title and date are equal."""
    if fields.urls:
        by_url = session.scalar(
            select(Statement).join(StatementUrl).where(StatementUrl.url.in_(fields.urls)).limit(1)
        )
        if by_url is not None:
            return by_url
    same_date = (
        Statement.published_on.is_(None) if fields.published_on is None else Statement.published_on == fields.published_on
    )
    return session.scalar(select(Statement).where(Statement.title == fields.title.strip(), same_date).limit(1))


def _find_or_create_statement(session: Session, fields: StatementFields) -> tuple[Statement, bool]:
    statement = find_statement(session, fields)
    if statement is not None:
        _add_missing_urls(session, statement, fields.urls)
        return statement, False
    statement = Statement(
        slug=_unique_statement_slug(session, fields),
        title=fields.title.strip(),
        kind=fields.kind,
        published_on=fields.published_on,
        date_precision=fields.date_precision,
        language=fields.language,
        translator=fields.translator,
        addressees=list(fields.addressees),
        summary=fields.summary,
        body=fields.body,
        notes=fields.notes,
    )
    session.add(statement)
    session.flush()
    _add_missing_urls(session, statement, fields.urls)
    return statement, True


def _add_missing_urls(session: Session, statement: Statement, urls: list[str]) -> None:
    for url in urls:
        if session.scalar(select(StatementUrl.id).where(StatementUrl.url == url)) is None:
            session.add(StatementUrl(statement_id=statement.id, url=url))
    session.flush()


def _unique_statement_slug(session: Session, fields: StatementFields) -> str:
    year = f"{fields.published_on.year}-" if fields.published_on else ""
    base = fields.slug or names.slugify(f"{year}{fields.title}")
    taken = set(session.scalars(select(Statement.slug).where(Statement.slug.like(f"{base}%"))))
    return names.first_free_slug(base, taken)


def _existing_lines(session: Session, statement_id: int) -> set[tuple[int, str]]:
    rows = session.execute(
        select(SignatureLine.printed_name_id, SignatureLine.position).where(SignatureLine.statement_id == statement_id)
    )
    return {(row.printed_name_id, row.position) for row in rows}


def _organizations_on(session: Session, statement_id: int) -> set[int]:
    rows = session.scalars(
        select(PrintedName.organization_id)
        .join(SignatureLine, SignatureLine.printed_name_id == PrintedName.id)
        .where(SignatureLine.statement_id == statement_id)
    )
    return set(rows)
