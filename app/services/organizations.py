"""Read organizations: filtered search, facets, co-signatories, details and the statements each signed.

Filtering, sorting, paging and counting all happen in SQL; `OrganizationFilters` is the one
description of "which organizations" shared by the API list, a statement's signatories and the
web pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, String, bindparam, distinct, func, select
from sqlalchemy.orm import Session

from app.identity import names
from app.errors import InvalidInput, NotFound
from app.models import SECTORS, Organization, OrganizationName, OrganizationStats, PrintedName, SignatureLine, Statement
from app.identity.regions import region_name, resolve_region
from app.services import audit, review, signing_stats, text_search
from app.identity.evidence import normalize_region_code
from app.services.ids import id_or_slug_condition, row_named
from app.services.locks import take_identity_lock
from app.services.paging import Page, PagedQuery, page_of, paginate

OrganizationSort = Literal["name", "statements", "last_signed"]
ORGANIZATION_SORTS: tuple[str, ...] = ("name", "statements", "last_signed")
FACETS: tuple[str, ...] = ("region", "sector", "year")
_UNDATED = dt.date(1, 1, 1)


@dataclass
class OrganizationFilters:
    """Which organizations: every field left empty means "no condition".

    `region` holds ISO 3166-2 codes or region names; `signed` a statement id or slug;
    `signed_with` an organization id or slug; `since`/`until` bound the dates of the statements
    signed (inclusive); `q` is matched against every printed name and the acronym.
    """

    q: str | None = None
    region: list[str] = field(default_factory=list)
    country: str | None = None
    sector: list[str] = field(default_factory=list)
    signed: str | None = None
    signed_with: str | None = None
    min_statements: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    sort: OrganizationSort = "name"


@dataclass(frozen=True, slots=True)
class OrganizationRow:
    """One organization of a list, with what it signed."""

    id: int
    slug: str
    name: str
    acronym: str | None
    country: str | None
    region_code: str | None
    region_source: str | None
    sector: str | None
    statement_count: int
    first_signed: dt.date | None
    last_signed: dt.date | None


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str | None
    label: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Cosignatory:
    organization: OrganizationRow
    shared_count: int
    shared_statements: list[SignedStatement]


@dataclass
class SignedStatement:
    id: int
    slug: str
    title: str
    kind: str
    published_on: dt.date | None
    date_precision: str | None
    positions: list[str] = field(default_factory=list)


def get(session: Session, id_or_slug: str, *, parameter: str = "id_or_slug") -> Organization:
    """An organization by numeric id or slug, merged or not; NotFound otherwise."""
    condition = id_or_slug_condition(Organization.id, Organization.slug, id_or_slug)
    organization = session.scalar(select(Organization).where(condition))
    if organization is None:
        raise NotFound(f"No organization with id or slug '{id_or_slug}'.", parameter=parameter)
    return organization


def resolve(session: Session, reference: str, *, parameter: str) -> list[int]:
    """The live organization meant by an id, slug, printed name (any spelling with the same match
    key) or acronym, as a list of one id.

    A merged organization's id or slug means its survivor. InvalidInput names `parameter` when
    nothing matches, and lists the `candidates` when a name or acronym denotes several.
    """
    reference = reference.strip()
    by_id = live_by_id_or_slug(session, reference)
    if by_id is not None:
        return [by_id]
    ids = named(session, reference)
    if not ids:
        raise InvalidInput(f"No organization with id, slug, name or acronym '{reference}'.", parameter=parameter)
    if len(ids) > 1:
        raise ambiguous(session, reference, ids, parameter=parameter)
    return ids


def live_by_id_or_slug(session: Session, text: str) -> int | None:
    """The live organization an id or slug names (a merged one's survivor), or None."""
    found = row_named(session, (Organization.id, Organization.merged_into_id), text.strip())
    if found is None:
        return None
    return found.id if found.merged_into_id is None else _live_id(session, found.id)


def get_by_reference(session: Session, reference: str, *, parameter: str = "id_or_slug") -> Organization:
    """An organization by id or slug (merged or not), else the one live organization a printed
    name or acronym denotes; NotFound when none does, InvalidInput with `candidates` when several."""
    named_row = row_named(session, (Organization.id,), reference)
    if named_row is not None:
        return session.get_one(Organization, named_row.id)
    ids = named(session, reference)
    if not ids:
        raise NotFound(f"No organization with id, slug, name or acronym '{reference}'.", parameter=parameter)
    if len(ids) > 1:
        raise ambiguous(session, reference, ids, parameter=parameter)
    return session.get_one(Organization, ids[0])


def named(session: Session, text: str) -> list[int]:
    """Live organizations that a name or acronym as a person types it denotes: those printed with
    the same match key, or, when none is, those whose acronym it is (case and accents ignored)."""
    key = names.match_key(text)
    by_name = set(session.scalars(_printed_with_key(key))) if key else set()
    if not by_name:
        acronym = names.search_text(text).replace(" ", "")
        if acronym:
            by_name = set(session.scalars(select(Organization.id).where(func.lower(Organization.acronym) == acronym)))
    return sorted({_live_id(session, organization_id) for organization_id in by_name})


def _printed_with_key(key: str) -> Select:
    """Organizations with a line printed with a name of match key `key`."""
    return (
        select(OrganizationName.organization_id)
        .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
        .where(PrintedName.match_key == key)
    )


def ambiguous(session: Session, reference: str, ids: list[int], *, parameter: str) -> InvalidInput:
    rows = session.execute(select(Organization.id, Organization.slug, Organization.name).where(Organization.id.in_(ids)).order_by(Organization.id))
    candidates = [{"id": row.id, "slug": row.slug, "name": row.name} for row in rows]
    return InvalidInput(
        f"'{reference}' names {len(candidates)} organizations; use the id or slug of one of `candidates`.",
        parameter=parameter,
        candidates=candidates,
    )


def _live_id(session: Session, organization_id: int) -> int:
    return review.survivor_id(session, organization_id)


def _byte_order(postgresql: bool, column: ColumnElement[str]) -> ColumnElement[str]:
    """Order by code points on both engines, so pages and cursors agree across them."""
    return column.collate("C") if postgresql else column


def region_codes(values: list[str], *, parameter: str = "region") -> list[str]:
    """ISO 3166-2 codes for what a person typed: codes in any case or region names ("Zulia")."""
    codes = []
    for value in values:
        code = resolve_region(value) or resolve_region(value, country=None)
        if code is None:
            raise InvalidInput(f"'{value}' is not a known region (an ISO 3166-2 code such as VE-V, or a name).", parameter=parameter)
        codes.append(code)
    return codes


def _statement_id(session: Session, id_or_slug: str, parameter: str) -> int:
    found = row_named(session, (Statement.id,), id_or_slug)
    if found is None:
        raise InvalidInput(f"No statement with id or slug '{id_or_slug}'.", parameter=parameter)
    return found.id


def _signers_of(statement_ids: Any) -> Select:
    """Organization ids with a line on any of `statement_ids` (a value or a subquery)."""
    condition = (
        SignatureLine.statement_id == statement_ids
        if isinstance(statement_ids, int)
        else SignatureLine.statement_id.in_(statement_ids)
    )
    return select(SignatureLine.organization_id).where(condition)


def _statements_of(organization_ids: Any) -> Select:
    return select(SignatureLine.statement_id).where(SignatureLine.organization_id.in_(organization_ids))


_Shape = tuple[Any, ...]  # which conditions a list needs: hashable, few distinct values


def matching_ids(session: Session, filters: OrganizationFilters) -> tuple[Select, dict[str, Any]]:
    """The ids of the live organizations `filters` select, and the values that query binds.

    `q` matches exactly, or by close spelling when no live organization matches it exactly (as in
    `search`).
    """
    typo_tolerant = bool(text_search.query_words(filters.q)) and not _any_exact_match(session, filters)
    shape, params = _resolved(session, filters, typo_tolerant=typo_tolerant)
    return select(Organization.id).where(*_where(shape)), params


def _any_exact_match(session: Session, filters: OrganizationFilters) -> bool:
    shape, params = _resolved(session, OrganizationFilters(q=filters.q), typo_tolerant=False)
    return session.connection().execute(_first_match(shape), params).first() is not None


@functools.lru_cache(maxsize=64)
def _first_match(shape: _Shape) -> Select:
    return select(Organization.id).where(*_where(shape)).limit(1)


def _resolved(session: Session, filters: OrganizationFilters, *, typo_tolerant: bool) -> tuple[_Shape, dict[str, Any]]:
    """The conditions `filters` need (their shape) and the values they bind, checked and resolved
    (a statement or organization to its id, region names to codes); bad values raise InvalidInput."""
    postgresql = text_search.is_postgresql(session)
    shape: list[Any] = [postgresql]
    params: dict[str, Any] = {}
    words = text_search.query_words(filters.q)
    if words and typo_tolerant:
        shape.append("similar")
        params["similar_ids"] = text_search.fuzzy_organization_ids(session, filters.q or "")
    elif words:
        shape.append("q")
        params.update(text_search.organizations_matching_params(postgresql, words))
    if filters.region:
        shape.append("region")
        params["region_codes"] = region_codes(filters.region)
    if filters.country:
        shape.append("country")
        params["country"] = _country(filters.country)
    if filters.sector:
        shape.append("sector")
        params["sectors"] = sectors(filters.sector)
    if filters.signed:
        shape.append("signed")
        params["signed_statements"] = [_statement_id(session, filters.signed, "signed")]
    if filters.signed_with:
        shape.append("signed_with")
        params["partner_ids"] = resolve(session, filters.signed_with, parameter="signed_with")
    for bound in ("since", "until"):
        if getattr(filters, bound):
            shape.append(bound)
            params[bound] = getattr(filters, bound)
    if filters.min_statements:
        shape.append("min_statements")
        params["min_statements"] = filters.min_statements
    return tuple(shape), params


@functools.lru_cache(maxsize=256)
def _where(shape: _Shape) -> tuple[ColumnElement[bool], ...]:
    """The WHERE clauses of a shape, values left as bound parameters (see `_resolved`)."""
    postgresql, *needed = shape
    where: list[ColumnElement[bool]] = [Organization.merged_into_id.is_(None)]
    if "q" in needed:
        where.append(text_search.organizations_matching(postgresql))
    if "similar" in needed:
        where.append(Organization.id.in_(_expanding("similar_ids")))
    if "region" in needed:
        where.append(Organization.region_code.in_(_expanding("region_codes")))
    if "country" in needed:
        where.append(Organization.country == bindparam("country"))
    if "sector" in needed:
        where.append(Organization.sector.in_(_expanding("sectors")))
    if "signed" in needed:
        where.append(Organization.id.in_(_signers_of(_expanding("signed_statements"))))
    if "signed_with" in needed:
        where.append(Organization.id.in_(_signers_of(_statements_of(_expanding("partner_ids")))))
        where.append(Organization.id.not_in(_expanding("partner_ids")))
    if "since" in needed or "until" in needed:
        where.append(Organization.id.in_(_signers_of(_statements_between("since" in needed, "until" in needed))))
    if "min_statements" in needed:
        where.append(Organization.id.in_(_with_at_least(bindparam("min_statements"))))
    return tuple(where)


def _expanding(name: str) -> Any:
    return bindparam(name, expanding=True)


def _country(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InvalidInput(f"'{value}' is not an ISO 3166-1 alpha-2 country code such as VE.", parameter="country")
    return code


def sectors(values: list[str]) -> list[str]:
    unknown = [value for value in values if value not in SECTORS]
    if unknown:
        raise InvalidInput(f"Unknown sector '{unknown[0]}'; one of {', '.join(SECTORS)}.", parameter="sector")
    return values


def _statements_between(since: bool, until: bool) -> Select:
    """Statements dated within the bound parameters `since` and/or `until` (inclusive)."""
    query = select(Statement.id)
    if since:
        query = query.where(Statement.published_on >= bindparam("since", type_=Statement.published_on.type))
    if until:
        query = query.where(Statement.published_on <= bindparam("until", type_=Statement.published_on.type))
    return query


def _with_at_least(count: Any) -> Select:
    return select(OrganizationStats.organization_id).where(OrganizationStats.statement_count >= count)


_LIST_COLUMNS = (
    Organization.id,
    Organization.slug,
    Organization.name,
    Organization.acronym,
    Organization.country,
    Organization.region_code,
    Organization.region_source,
    Organization.sector,
    func.coalesce(OrganizationStats.statement_count, 0).label("statement_count"),
    OrganizationStats.first_signed,
    OrganizationStats.last_signed,
)


def _list_query(where: list[ColumnElement[bool]]) -> Select:
    """OrganizationRow's columns, in its order."""
    return (
        select(*_LIST_COLUMNS)
        .outerjoin(OrganizationStats, OrganizationStats.organization_id == Organization.id)
        .where(*where)
    )


def search(
    session: Session, filters: OrganizationFilters | None = None, *, limit: int, cursor: str | None = None
) -> Page[OrganizationRow]:
    """Live organizations matching `filters`, in `filters.sort` order, one page at a time.

    Sorts: "name" (A-Z by code point), "statements" (most first), "last_signed" (latest first,
    never-dated last); ties by id. The page's total counts every match. A `q` that matches
    nothing exactly is retried with close spellings (the page is then `approximate`).
    """
    filters = filters or OrganizationFilters()
    if filters.sort not in ORGANIZATION_SORTS:
        raise InvalidInput(f"Sort must be one of {', '.join(ORGANIZATION_SORTS)}.", parameter="sort")
    shape, params = _resolved(session, filters, typo_tolerant=False)
    page = _search_page(session, filters.sort, shape, params, limit, cursor)
    if page.total == 0 and text_search.query_words(filters.q):
        shape, params = _resolved(session, filters, typo_tolerant=True)
        page = dataclasses.replace(_search_page(session, filters.sort, shape, params, limit, cursor), approximate=True)
    return page


def _search_page(
    session: Session, sort: str, shape: _Shape, params: dict[str, Any], limit: int, cursor: str | None
) -> Page[OrganizationRow]:
    key_of, cast = _SORT_KEYS[sort]
    paged = _paged_search(shape, sort)
    page = page_of(session, paged, key_of=key_of, limit=limit, cursor=cursor, cast_values=cast, params=params)
    return Page(items=[OrganizationRow(*row) for row in page.items], total=page.total, next_cursor=page.next_cursor)


@functools.lru_cache(maxsize=256)
def _paged_search(shape: _Shape, sort: str) -> PagedQuery:
    where = _where(shape)
    if sort == "name":
        keys = [_byte_order(shape[0], Organization.name), Organization.id]
    else:
        keys = [_STATEMENT_COUNT if sort == "statements" else _LAST_SIGNED_KEY, Organization.id]
    return PagedQuery(
        _list_query(list(where)), keys=keys, descending=sort != "name", count_query=select(Organization.id).where(*where)
    )


_STATEMENT_COUNT = func.coalesce(OrganizationStats.statement_count, 0)
_LAST_SIGNED_KEY = func.coalesce(OrganizationStats.last_signed, _UNDATED)


def _name_key(row: Any) -> list[Any]:
    return [row.name, row.id]


def _count_key(row: Any) -> list[Any]:
    return [row.statement_count, row.id]


def _last_signed_key(row: Any) -> list[Any]:
    return [(row.last_signed or _UNDATED).isoformat(), row.id]


def _date_and_id(values: list[Any]) -> list[Any]:
    return [dt.date.fromisoformat(str(values[0])), int(values[1])]


_SORT_KEYS: dict[str, tuple[Any, Any]] = {
    "name": (_name_key, None),
    "statements": (_count_key, None),
    "last_signed": (_last_signed_key, _date_and_id),
}


def facets(session: Session, filters: OrganizationFilters | None, facet_names: list[str]) -> dict[str, list[FacetCount]]:
    """Counts of the matching organizations by region, sector and/or year signed, largest first.

    "year" counts organizations that signed a statement dated in that year (within since/until
    when given), so one organization counts in every year it signed.
    """
    filters = filters or OrganizationFilters()
    unknown = [name for name in facet_names if name not in FACETS]
    if unknown:
        raise InvalidInput(f"Unknown facet '{unknown[0]}'; one of {', '.join(FACETS)}.", parameter="facets")
    matching, params = matching_ids(session, filters)
    result: dict[str, list[FacetCount]] = {}
    for name in facet_names:
        if name == "region":
            query = select(Organization.region_code, func.count()).where(Organization.id.in_(matching)).group_by(Organization.region_code)
            result[name] = facet_counts(session, query, params, label=lambda code: region_name(code) if code else None)
        elif name == "sector":
            query = select(Organization.sector, func.count()).where(Organization.id.in_(matching)).group_by(Organization.sector)
            result[name] = facet_counts(session, query, params)
        else:
            year = year_of(session, Statement.published_on)
            query = (
                select(year, func.count(distinct(SignatureLine.organization_id)))
                .join(Statement, Statement.id == SignatureLine.statement_id)
                .where(SignatureLine.organization_id.in_(matching), Statement.published_on.is_not(None))
                .group_by(year)
            )
            if filters.since:
                query = query.where(Statement.published_on >= filters.since)
            if filters.until:
                query = query.where(Statement.published_on <= filters.until)
            result[name] = facet_counts(session, query, params)
    return result


def year_of(session: Session, column: ColumnElement[dt.date | None]) -> ColumnElement[str]:
    """The year of a date column as four-digit text, on either engine."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY")
    return func.strftime("%Y", column, type_=String)


def facet_counts(session: Session, query: Select, params: dict[str, Any], label: Any = None) -> list[FacetCount]:
    rows = session.execute(query, params).all()
    counts = [FacetCount(value=value, label=label(value) if label else value, count=count) for value, count in rows]
    return sorted(counts, key=lambda facet: (-facet.count, facet.value is None, facet.value or ""))


def cosignatories(session: Session, organization_id: int, *, limit: int, cursor: str | None = None) -> Page[Cosignatory]:
    """The organizations that signed the most statements together with this one, most first.

    Each comes with the count and the shared statements (newest first). Ties by id, descending.
    """
    own_statements = _statements_of([organization_id])
    shared = (
        select(
            SignatureLine.organization_id.label("id"),
            func.count(distinct(SignatureLine.statement_id)).label("shared_count"),
        )
        .where(SignatureLine.statement_id.in_(own_statements), SignatureLine.organization_id != organization_id)
        .group_by(SignatureLine.organization_id)
        .subquery()
    )
    page = paginate(
        session,
        select(shared.c.id, shared.c.shared_count),
        keys=[shared.c.shared_count, shared.c.id],
        key_of=lambda row: [row.shared_count, row.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    ids = [row.id for row in page.items]
    rows = {row.id: OrganizationRow(*row) for row in session.execute(_list_query([Organization.id.in_(ids)]))}
    statements_by_partner = _shared_statements(session, organization_id, ids)
    items = [
        Cosignatory(organization=rows[row.id], shared_count=row.shared_count, shared_statements=statements_by_partner.get(row.id, []))
        for row in page.items
    ]
    return Page(items=items, total=page.total, next_cursor=page.next_cursor)


def _shared_statements(session: Session, organization_id: int, partner_ids: list[int]) -> dict[int, list[SignedStatement]]:
    if not partner_ids:
        return {}
    rows = session.execute(
        select(
            SignatureLine.organization_id.label("partner_id"),
            Statement.id,
            Statement.slug,
            Statement.title,
            Statement.kind,
            Statement.published_on,
            Statement.date_precision,
        )
        .distinct()
        .join(Statement, Statement.id == SignatureLine.statement_id)
        .where(SignatureLine.organization_id.in_(partner_ids), Statement.id.in_(_statements_of([organization_id])))
        .order_by(Statement.published_on.desc().nulls_last(), Statement.id)
    )
    by_partner: dict[int, list[SignedStatement]] = {}
    for row in rows:
        by_partner.setdefault(row.partner_id, []).append(
            SignedStatement(row.id, row.slug, row.title, row.kind, row.published_on, row.date_precision)
        )
    return by_partner


def printed_names(session: Session, organization_id: int) -> list[str]:
    """The texts this organization's lines are printed with, first printed first."""
    return list(
        session.scalars(
            select(PrintedName.text)
            .join(OrganizationName, OrganizationName.printed_name_id == PrintedName.id)
            .where(OrganizationName.organization_id == organization_id)
            .order_by(PrintedName.id)
        )
    )


def statements_signed(session: Session, organization_id: int) -> list[SignedStatement]:
    """Every statement with a line naming this organization, newest first, with the printed positions."""
    rows = session.execute(
        select(
            Statement.id,
            Statement.slug,
            Statement.title,
            Statement.kind,
            Statement.published_on,
            Statement.date_precision,
            SignatureLine.position,
        )
        .join(SignatureLine, SignatureLine.statement_id == Statement.id)
        .where(SignatureLine.organization_id == organization_id)
        .order_by(Statement.published_on.desc().nulls_last(), Statement.id, SignatureLine.sort_order)
    )
    by_id: dict[int, SignedStatement] = {}
    for row in rows:
        signed = by_id.setdefault(
            row.id,
            SignedStatement(row.id, row.slug, row.title, row.kind, row.published_on, row.date_precision),
        )
        if row.position:
            signed.positions.append(row.position)
    return list(by_id.values())


_EDITABLE = ("name", "acronym", "region_code", "sector")


def update(session: Session, organization: Organization, changes: dict[str, str | None], *, actor: str) -> Organization:
    """An admin's corrections; a region or sector set here wins over inferred or imported ones.

    `changes` holds only the fields to change; None clears acronym, region or sector.
    """
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise InvalidInput(f"Cannot change {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    take_identity_lock(session)
    before = {field: getattr(organization, field) for field in changes}
    if "name" in changes:
        name = names.normalize_whitespace(changes["name"] or "")
        if not name:
            raise InvalidInput("The name cannot be empty.", field="name")
        organization.name, organization.name_source = name, "admin"
    if "acronym" in changes:
        organization.acronym = (changes["acronym"] or "").strip() or None
    if "region_code" in changes:
        _set_region(organization, changes["region_code"])
        signing_stats.refresh_regions(session, {before["region_code"], organization.region_code})
    if "sector" in changes:
        _set_sector(organization, changes["sector"])
    audit.record(
        session,
        actor=actor,
        action="organization.update",
        subject_type="organization",
        subject_id=organization.id,
        details={"before": before, "after": {field: getattr(organization, field) for field in changes}},
    )
    session.flush()
    return organization


def _set_region(organization: Organization, code: str | None) -> None:
    region = normalize_region_code(code)
    if region is not None and region_name(region) is None:
        raise InvalidInput(f"'{region}' is not a known ISO 3166-2 region.", field="region_code")
    organization.region_code = region
    # why: an admin clearing the region is a decision too; inference must not fill it again. It
    # also settles any disagreement between the files.
    organization.region_source = "admin"
    organization.region_evidence = None
    organization.region_conflict = None
    if region is not None:
        organization.country, organization.country_source = region[:2], "admin"


def _set_sector(organization: Organization, sector: str | None) -> None:
    if sector is not None and sector not in SECTORS:
        raise InvalidInput(f"Sector must be one of {', '.join(SECTORS)}.", field="sector")
    organization.sector = sector
    organization.sector_source = "admin"


# ---------------------------------------------------------------- for the web pages


@dataclass(frozen=True, slots=True)
class CoSignatory:
    id: int
    slug: str
    name: str
    shared_statements: int


def search_filtered(
    session: Session,
    *,
    q: str | None,
    region: str | None = None,
    sector: str | None = None,
    year: int | None = None,
    statement_id: int | None = None,
    limit: int,
    cursor: str | None = None,
) -> Page[Organization]:
    """`search` narrowed to a region code, a sector, a year signed in, or one statement signed."""
    query: Select = select(Organization).where(Organization.merged_into_id.is_(None))
    folded = names.search_text(q) if q else ""
    if folded:
        matching = (
            select(OrganizationName.organization_id)
            .join(PrintedName, PrintedName.id == OrganizationName.printed_name_id)
            .where(PrintedName.search_text.contains(folded, autoescape=True))
        )
        query = query.where(Organization.id.in_(matching))
    if region:
        query = query.where(Organization.region_code == region.upper())
    if sector:
        query = query.where(Organization.sector == sector)
    if year is not None or statement_id is not None:
        signers = select(SignatureLine.organization_id)
        if statement_id is not None:
            signers = signers.where(SignatureLine.statement_id == statement_id)
        if year is not None:
            in_year = select(Statement.id).where(Statement.published_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
            signers = signers.where(SignatureLine.statement_id.in_(in_year))
        query = query.where(Organization.id.in_(signers))
    return paginate(
        session,
        query,
        keys=[_byte_order(text_search.is_postgresql(session), Organization.slug)],
        key_of=lambda org: [org.slug],
        limit=limit,
        cursor=cursor,
    )


def frequent_cosignatories(session: Session, organization_id: int, *, limit: int = 10) -> list[CoSignatory]:
    """Organizations that signed the most statements together with this one, most shared first."""
    shared = func.count(func.distinct(SignatureLine.statement_id)).label("shared")
    rows = session.execute(
        select(Organization.id, Organization.slug, Organization.name, shared)
        .join(SignatureLine, SignatureLine.organization_id == Organization.id)
        .where(SignatureLine.statement_id.in_(_statements_of([organization_id])), Organization.id != organization_id)
        .group_by(Organization.id, Organization.slug, Organization.name)
        .order_by(shared.desc(), _byte_order(text_search.is_postgresql(session), Organization.slug))
        .limit(limit)
    )
    return [CoSignatory(row.id, row.slug, row.name, row.shared) for row in rows]


@dataclass(frozen=True, slots=True)
class AttributedLine:
    """One signature line of an organization, for an admin deciding what to split off."""

    id: int
    printed_name: str
    statement_slug: str
    statement_title: str
    published_on: dt.date | None
    date_precision: str | None
    position: str
    raw_text: str
    region_code: str | None
    given_region: str | None
    country: str | None


ADMIN_LINES_SHOWN = 2_000


def lines_of(session: Session, organization_id: int, *, limit: int = ADMIN_LINES_SHOWN) -> list[AttributedLine]:
    """The organization's signature lines grouped by printed form, each with its statement and the
    evidence its file gave; at most `limit` of them."""
    rows = session.execute(
        select(
            SignatureLine.id, PrintedName.text, Statement.slug, Statement.title, Statement.published_on,
            Statement.date_precision, SignatureLine.position, SignatureLine.raw_text, SignatureLine.region_code,
            SignatureLine.given_region, SignatureLine.country,
        )
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .join(Statement, Statement.id == SignatureLine.statement_id)
        .where(SignatureLine.organization_id == organization_id)
        .order_by(PrintedName.text, Statement.published_on.desc().nulls_last(), SignatureLine.id)
        .limit(limit)
    )  # fmt: skip
    return [AttributedLine(*row) for row in rows]


def region_conflicts(session: Session, *, limit: int) -> list[Organization]:
    """Live organizations whose files disagree on where they are, for the review queue (oldest first)."""
    return list(
        session.scalars(
            select(Organization)
            .where(Organization.region_conflict.is_not(None), Organization.merged_into_id.is_(None))
            .order_by(Organization.id)
            .limit(limit)
        )
    )
