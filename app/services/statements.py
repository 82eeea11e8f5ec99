"""Read statements and their signature lines; `StatementFilters` says which statements a list shows."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, distinct, extract, func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import InvalidInput, NotFound
from app.models import STATEMENT_KINDS, Organization, PrintedName, SignatureLine, Statement, StatementStats, StatementUrl
from app.identity.regions import region_name
from app.services import organizations, text_search
from app.services.organizations import FacetCount
from app.services.ids import id_or_slug_condition, row_named
from app.services.paging import Page, PagedQuery, page_of

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
    id: int
    position: str | None
    raw_text: str
    printed_name: str
    is_repeat: bool
    organization_id: int
    organization_slug: str
    organization_name: str
    given_region: str | None
    region_code: str | None
    given_country: str | None
    country: str | None
    given_acronym: str | None


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
    found = row_named(session, (Statement.id,), id_or_slug)
    if found is None:
        raise NotFound(f"No statement with id or slug '{id_or_slug}'.", parameter="id_or_slug")
    return found.id


def _sort_date() -> object:
    return func.coalesce(Statement.published_on, _UNDATED)


_Shape = tuple[Any, ...]  # which conditions a list needs: hashable, few distinct values


def _resolved(session: Session, filters: StatementFilters) -> tuple[_Shape, dict[str, Any]]:
    """The conditions `filters` need (their shape) and the values they bind, checked and resolved
    (an organization to the ids it means, region names to codes); bad values raise InvalidInput."""
    shape: list[Any] = [text_search.is_postgresql(session)]
    params: dict[str, Any] = {}
    words = text_search.query_words(filters.q)
    if words:
        shape.append(("q", len(words)))
        params.update({f"q_{index}": text_search.word_start_pattern(word) for index, word in enumerate(words)})
    if filters.signatory:
        shape.append("signatory")
        params["signatory_ids"] = organizations.resolve(session, filters.signatory, parameter="signatory")
    if filters.region:
        shape.append("region")
        params["region_codes"] = organizations.region_codes(filters.region)
    if filters.sector:
        shape.append("sector")
        params["sectors"] = organizations.sectors(filters.sector)
    if filters.kind:
        unknown = [kind for kind in filters.kind if kind not in STATEMENT_KINDS]
        if unknown:
            raise InvalidInput(f"Unknown kind '{unknown[0]}'; one of {', '.join(STATEMENT_KINDS)}.", parameter="kind")
        shape.append("kind")
        params["kinds"] = filters.kind
    if filters.language:
        shape.append("language")
        params["language"] = filters.language.strip().lower()
    for bound in ("since", "until"):
        if getattr(filters, bound):
            shape.append(bound)
            params[bound] = getattr(filters, bound)
    return tuple(shape), params


@functools.lru_cache(maxsize=256)
def _where(shape: _Shape) -> tuple[ColumnElement[bool], ...]:
    """The WHERE clauses of a shape, values left as bound parameters (see `_resolved`)."""
    postgresql, *needed = shape
    where: list[ColumnElement[bool]] = []
    for condition in needed:
        if isinstance(condition, tuple):  # ("q", number of words)
            patterns = [bindparam(f"q_{index}") for index in range(condition[1])]
            where.append(text_search.text_has_patterns(postgresql, [Statement.title, Statement.summary, Statement.body], patterns))
        elif condition == "signatory":
            where.append(Statement.id.in_(_signed_by(SignatureLine.organization_id.in_(_expanding("signatory_ids")))))
        elif condition == "region":
            signers = select(Organization.id).where(Organization.region_code.in_(_expanding("region_codes")))
            where.append(Statement.id.in_(_signed_by(SignatureLine.organization_id.in_(signers))))
        elif condition == "sector":
            signers = select(Organization.id).where(Organization.sector.in_(_expanding("sectors")))
            where.append(Statement.id.in_(_signed_by(SignatureLine.organization_id.in_(signers))))
        elif condition == "kind":
            where.append(Statement.kind.in_(_expanding("kinds")))
        elif condition == "language":
            where.append(func.lower(Statement.language) == bindparam("language"))
        elif condition == "since":
            where.append(Statement.published_on >= bindparam("since", type_=Statement.published_on.type))
        else:
            where.append(Statement.published_on <= bindparam("until", type_=Statement.published_on.type))
    return tuple(where)


def _expanding(name: str) -> Any:
    return bindparam(name, expanding=True)


def _signed_by(condition: ColumnElement[bool]) -> Select:
    return select(SignatureLine.statement_id).where(condition)


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
    shape, params = _resolved(session, filters or StatementFilters())
    page = page_of(
        session,
        _paged_list(shape),
        key_of=lambda row: [(row.published_on or _UNDATED).isoformat(), row.id],
        limit=limit,
        cursor=cursor,
        cast_values=lambda values: [dt.date.fromisoformat(str(values[0])), int(values[1])],
        params=params,
    )
    urls = _urls(session, [row.id for row in page.items])
    items = [StatementRow(*row, urls=urls.get(row.id, [])) for row in page.items]
    return Page(items=items, total=page.total, next_cursor=page.next_cursor)


@functools.lru_cache(maxsize=256)
def _paged_list(shape: _Shape) -> PagedQuery:
    where = _where(shape)
    query = select(*_LIST_COLUMNS).outerjoin(StatementStats, StatementStats.statement_id == Statement.id).where(*where)
    return PagedQuery(query, keys=[_sort_date(), Statement.id], descending=True, count_query=select(Statement.id).where(*where))


# why: built once, a statement skips SQLAlchemy's per-call construction and result adaptation,
# which cost four times the query itself on every list page
_URLS_OF = (
    select(StatementUrl.statement_id, StatementUrl.url)
    .where(StatementUrl.statement_id.in_(bindparam("ids", expanding=True)))
    .order_by(StatementUrl.id)
)


def _urls(session: Session, statement_ids: list[int]) -> dict[int, list[str]]:
    by_statement: dict[int, list[str]] = {}
    if statement_ids:
        for statement_id, url in session.connection().execute(_URLS_OF, {"ids": statement_ids}):
            by_statement.setdefault(statement_id, []).append(url)
    return by_statement


def lines(session: Session, statement_id: int) -> list[LineView]:
    """The signature lines in printed order, each with the organization it resolves to now."""
    rows = session.execute(
        select(
            SignatureLine.id.label("line_id"),
            SignatureLine.position,
            SignatureLine.raw_text,
            SignatureLine.is_repeat,
            PrintedName.text,
            Organization.id,
            Organization.slug,
            Organization.name,
            SignatureLine.given_region,
            SignatureLine.region_code,
            SignatureLine.given_country,
            SignatureLine.country,
            SignatureLine.given_acronym,
        )
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .join(Organization, Organization.id == SignatureLine.organization_id)
        .where(SignatureLine.statement_id == statement_id)
        .order_by(SignatureLine.sort_order)
    )
    return [
        LineView(
            id=row.line_id,
            position=row.position or None,
            raw_text=row.raw_text,
            printed_name=row.text,
            is_repeat=row.is_repeat,
            organization_id=row.id,
            organization_slug=row.slug,
            organization_name=row.name,
            given_region=row.given_region,
            region_code=row.region_code,
            given_country=row.given_country,
            country=row.country,
            given_acronym=row.given_acronym,
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
    shape, params = _resolved(session, filters or StatementFilters())
    matching = select(Statement.id).where(*_where(shape))
    result: dict[str, list[FacetCount]] = {}
    for name in facet_names:
        if name == "year":
            year = organizations.year_of(session, Statement.published_on)
            query: Select[Any] = select(year, func.count()).where(Statement.id.in_(matching)).group_by(year)
            result[name] = organizations.facet_counts(session, query, params)
            continue
        column = Organization.region_code if name == "region" else Organization.sector
        query = (
            select(column, func.count(distinct(SignatureLine.statement_id)))
            .join(Organization, Organization.id == SignatureLine.organization_id)
            .where(SignatureLine.statement_id.in_(matching))
            .group_by(column)
        )
        label = (lambda code: region_name(code) if code else None) if name == "region" else None
        result[name] = organizations.facet_counts(session, query, params, label)
    return result

