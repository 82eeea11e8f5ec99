"""Read statements and their signature lines; `StatementFilters` says which statements a list shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, distinct, extract, func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import InvalidInput, NotFound
from app.models import STATEMENT_KINDS, Organization, PrintedName, SignatureLine, Statement, StatementStats, StatementUrl
from app.regions import region_name
from app.services import organizations, text_search
from app.services.organizations import FacetCount
from app.services.ids import id_or_slug_condition
from app.services.paging import Page, paginate

FACETS: tuple[str, ...] = ("region", "sector", "year")


@dataclass
class StatementFilters:
    """Which statements: every field left empty means "no condition".

    `q` is matched word by word (word starts, accents and case ignored) against title, summary
    and body; `signatory` is an organization id, slug or printed name; `region` holds ISO
    3166-2 codes or names and keeps statements signed by an organization of those regions.
    """

    q: str | None = None
    signatory: str | None = None
    region: list[str] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    language: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

_UNDATED = dt.date(1, 1, 1)


@dataclass(frozen=True, slots=True)
class LineView:
    position: str | None
    raw_text: str
    printed_name: str
    is_repeat: bool
    organization_id: int
    organization_slug: str
    organization_name: str


@dataclass(frozen=True, slots=True)
class Counts:
    lines: int
    organizations: int


def get(session: Session, id_or_slug: str) -> Statement:
    """A statement by numeric id or slug; NotFound otherwise."""
    condition = id_or_slug_condition(Statement.id, Statement.slug, id_or_slug)
    statement = session.scalar(select(Statement).options(selectinload(Statement.urls)).where(condition))
    if statement is None:
        raise NotFound(f"No statement with id or slug '{id_or_slug}'.", parameter="id_or_slug")
    return statement


def get_id(session: Session, id_or_slug: str) -> int:
    """A statement's id from its id or slug, without loading it; NotFound otherwise."""
    condition = id_or_slug_condition(Statement.id, Statement.slug, id_or_slug)
    found = session.scalar(select(Statement.id).where(condition))
    if found is None:
        raise NotFound(f"No statement with id or slug '{id_or_slug}'.", parameter="id_or_slug")
    return found


def _sort_date() -> object:
    return func.coalesce(Statement.published_on, _UNDATED)


def conditions(session: Session, filters: StatementFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    words = text_search.query_words(filters.q)
    if words:
        where.append(text_search.text_has_words(session, [Statement.title, Statement.summary, Statement.body], words))
    if filters.signatory:
        ids = organizations.resolve(session, filters.signatory, parameter="signatory")
        where.append(Statement.id.in_(_signed_by(PrintedName.organization_id.in_(ids))))
    if filters.region:
        codes = organizations.region_codes(filters.region)
        signers = select(Organization.id).where(Organization.region_code.in_(codes))
        where.append(Statement.id.in_(_signed_by(PrintedName.organization_id.in_(signers))))
    if filters.sector:
        signers = select(Organization.id).where(Organization.sector.in_(organizations.sectors(filters.sector)))
        where.append(Statement.id.in_(_signed_by(PrintedName.organization_id.in_(signers))))
    if filters.kind:
        unknown = [kind for kind in filters.kind if kind not in STATEMENT_KINDS]
        if unknown:
            raise InvalidInput(f"Unknown kind '{unknown[0]}'; one of {', '.join(STATEMENT_KINDS)}.", parameter="kind")
        where.append(Statement.kind.in_(filters.kind))
    if filters.language:
        where.append(func.lower(Statement.language) == filters.language.strip().lower())
    if filters.since:
        where.append(Statement.published_on >= filters.since)
    if filters.until:
        where.append(Statement.published_on <= filters.until)
    return where


def _signed_by(condition: ColumnElement[bool]) -> Select:
    return (
        select(SignatureLine.statement_id)
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .where(condition)
    )


@dataclass(frozen=True, slots=True)
class StatementRow:
    """One statement of a list, with its URLs and counts."""

    id: int
    slug: str
    title: str
    kind: str
    published_on: dt.date | None
    date_precision: str | None
    language: str | None
    line_count: int
    organization_count: int
    urls: list[str] = field(default_factory=list)


_LIST_COLUMNS = (
    Statement.id,
    Statement.slug,
    Statement.title,
    Statement.kind,
    Statement.published_on,
    Statement.date_precision,
    Statement.language,
    func.coalesce(StatementStats.line_count, 0),
    func.coalesce(StatementStats.organization_count, 0),
)


def get_all(
    session: Session, filters: StatementFilters | None = None, *, limit: int, cursor: str | None = None
) -> Page[StatementRow]:
    """Statements matching `filters`, newest first (undated last), then by id."""
    where = conditions(session, filters or StatementFilters())
    query: Select = (
        select(*_LIST_COLUMNS).outerjoin(StatementStats, StatementStats.statement_id == Statement.id).where(*where)
    )
    page = paginate(
        session,
        query,
        keys=[_sort_date(), Statement.id],
        key_of=lambda row: [(row.published_on or _UNDATED).isoformat(), row.id],
        limit=limit,
        cursor=cursor,
        descending=True,
        cast_values=lambda values: [dt.date.fromisoformat(str(values[0])), int(values[1])],
        count_query=select(Statement.id).where(*where),
    )
    urls = _urls(session, [row.id for row in page.items])
    items = [StatementRow(*row, urls=urls.get(row.id, [])) for row in page.items]
    return Page(items=items, total=page.total, next_cursor=page.next_cursor)


def _urls(session: Session, statement_ids: list[int]) -> dict[int, list[str]]:
    by_statement: dict[int, list[str]] = {}
    if statement_ids:
        rows = session.connection().execute(
            select(StatementUrl.statement_id, StatementUrl.url)
            .where(StatementUrl.statement_id.in_(statement_ids))
            .order_by(StatementUrl.id)
        )
        for statement_id, url in rows:
            by_statement.setdefault(statement_id, []).append(url)
    return by_statement


def lines(session: Session, statement_id: int) -> list[LineView]:
    """The signature lines in printed order, each with the organization it resolves to now."""
    rows = session.execute(
        select(
            SignatureLine.position,
            SignatureLine.raw_text,
            SignatureLine.is_repeat,
            PrintedName.text,
            Organization.id,
            Organization.slug,
            Organization.name,
        )
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .join(Organization, Organization.id == PrintedName.organization_id)
        .where(SignatureLine.statement_id == statement_id)
        .order_by(SignatureLine.sort_order)
    )
    return [
        LineView(
            position=row.position or None,
            raw_text=row.raw_text,
            printed_name=row.text,
            is_repeat=row.is_repeat,
            organization_id=row.id,
            organization_slug=row.slug,
            organization_name=row.name,
        )
        for row in rows
    ]


def is_empty(session: Session) -> bool:
    return session.scalar(select(Statement.id).limit(1)) is None


def get_row(session: Session, statement_id: int) -> StatementRow:
    """One statement as a list shows it, with its URLs and counts."""
    row = session.execute(
        select(*_LIST_COLUMNS)
        .outerjoin(StatementStats, StatementStats.statement_id == Statement.id)
        .where(Statement.id == statement_id)
    ).one()
    return StatementRow(*row, urls=_urls(session, [statement_id]).get(statement_id, []))


def years(session: Session) -> list[int]:
    """Years with at least one dated statement, newest first."""
    year = extract("year", Statement.published_on)
    found = session.scalars(select(year).where(Statement.published_on.is_not(None)).distinct().order_by(year.desc()))
    return [int(value) for value in found]

def facets(session: Session, filters: StatementFilters | None, facet_names: list[str]) -> dict[str, list[FacetCount]]:
    """Counts of the matching statements by signatories' region and sector, and by year, largest first.

    A statement signed by organizations of three regions counts once in each.
    """
    unknown = [name for name in facet_names if name not in FACETS]
    if unknown:
        raise InvalidInput(f"Unknown facet '{unknown[0]}'; one of {', '.join(FACETS)}.", parameter="facets")
    matching = select(Statement.id).where(*conditions(session, filters or StatementFilters()))
    result: dict[str, list[FacetCount]] = {}
    for name in facet_names:
        if name == "year":
            year = organizations.year_of(session, Statement.published_on)
            query: Select[Any] = select(year, func.count()).where(Statement.id.in_(matching)).group_by(year)
            result[name] = organizations.facet_counts(session, query)
            continue
        column = Organization.region_code if name == "region" else Organization.sector
        query = (
            select(column, func.count(distinct(SignatureLine.statement_id)))
            .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
            .join(Organization, Organization.id == PrintedName.organization_id)
            .where(SignatureLine.statement_id.in_(matching))
            .group_by(column)
        )
        label = (lambda code: region_name(code) if code else None) if name == "region" else None
        result[name] = organizations.facet_counts(session, query, label)
    return result

