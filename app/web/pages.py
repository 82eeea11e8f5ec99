"""Public pages: home, search, organization, statement, regions; each with its CSV and API twin.

Handlers only call services and render; the CSV behind each page comes from the same service call.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.api.common import date_at_precision
from app.api.deps import SessionDep
from app.errors import InvalidInput, NotFound
from app.models import SECTORS, Organization
from app.identity.regions import all_regions, region_name
from app.services import organizations, review, statements
from app.services.paging import Page
from app.web.render import CSV_LINK, CsvFormatDep, PageDep, path_for

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
LATEST = 10
CSV_PAGE = 1000


# ---------------------------------------------------------------- query parameters


class Filters:
    """The search form's fields, checked; `statement` is a slug, `region` an ISO 3166-2 code."""

    def __init__(self, session: Session, q: str | None, region: str | None, sector: str | None, year: str | None, statement: str | None):
        self.q = (q or "").strip() or None
        self.region = region.upper() if region else None
        if self.region and region_name(self.region) is None:
            raise InvalidInput(f"'{region}' is not a known region code.", parameter="region")
        if sector and sector not in SECTORS:
            raise InvalidInput(f"Sector must be one of {', '.join(SECTORS)}.", parameter="sector")
        self.sector = sector or None
        self.year = int(year) if year else None
        self.statement = statements.get(session, statement) if statement else None

    def query(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "region": self.region,
            "sector": self.sector,
            "year": self.year,
            "statement": self.statement.slug if self.statement else None,
        }

    def organizations(self, session: Session, limit: int, cursor: str | None):
        return organizations.search_filtered(
            session,
            q=self.q,
            region=self.region,
            sector=self.sector,
            year=self.year,
            statement_id=self.statement.id if self.statement else None,
            limit=limit,
            cursor=cursor,
        )

    def statements(self, session: Session, limit: int, cursor: str | None) -> Page[statements.StatementRow]:
        # why: "signed the statement X" narrows organizations; the statement list then shows X itself.
        if self.statement is not None:
            return Page(items=[statements.get_row(session, self.statement.id)], total=1, next_cursor=None)
        return statements.get_all(session, self.statement_filters(), limit=limit, cursor=cursor)

    def statement_filters(self) -> statements.StatementFilters:
        year = (dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)) if self.year else (None, None)
        return statements.StatementFilters(
            q=self.q,
            region=[self.region] if self.region else [],
            sector=[self.sector] if self.sector else [],
            since=year[0],
            until=year[1],
        )


Q = Query(None, max_length=500, description="Text in any printed name or statement title.")
REGION = Query(None, max_length=10, description="ISO 3166-2 code, e.g. VE-N.")
SECTOR = Query(None, max_length=30)
# why: the form sends empty fields ("year=") for "any"; an int parameter would refuse them.
YEAR = Query(None, pattern=r"^\d{0,4}$", description="A four-digit year, or empty for any.")
STATEMENT = Query(None, max_length=200, description="Slug of a statement the organizations signed.")
CURSOR = Query(None, max_length=500)


def search_filters(
    session: SessionDep,
    q: str | None = Q,
    region: str | None = REGION,
    sector: str | None = SECTOR,
    year: str | None = YEAR,
    statement: str | None = STATEMENT,
) -> Filters:
    """The search form's fields, shared by the search page and its two CSV downloads."""
    return Filters(session, q, region, sector, year, statement)


FiltersDep = Annotated[Filters, Depends(search_filters)]


# ---------------------------------------------------------------- rows shared by pages and CSV


def statement_rows(found: list[statements.StatementRow]) -> list[dict[str, Any]]:
    return [
        {
            "statement": statement,
            "slug": statement.slug,
            "title": statement.title,
            "date": date_at_precision(statement.published_on, statement.date_precision) or "",
            "kind": statement.kind,
            "lines": statement.line_count,
            "organizations": statement.organization_count,
        }
        for statement in found
    ]


STATEMENT_COLUMNS = ["slug", "title", "date", "kind", "lines", "organizations"]
ORGANIZATION_COLUMNS = ["id", "slug", "name", "acronym", "region_code", "region_source", "sector"]


def organization_row(organization: Organization) -> dict[str, Any]:
    return {column: getattr(organization, column) or "" for column in ORGANIZATION_COLUMNS}


def next_link(
    request: Request, name: str, query: dict[str, Any], cursor_param: str, cursor: str | None, **path_params: Any
) -> str | None:
    """The link to the next page of one of a page's lists; None on its last page."""
    if cursor is None:
        return None
    return path_for(request, name, {**query, cursor_param: cursor}, **path_params)


def every_page(fetch) -> list[Any]:
    """All items of a paged service call, page by page (for CSV downloads)."""
    items, cursor = [], None
    while True:
        page = fetch(CSV_PAGE, cursor)
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return items


# ---------------------------------------------------------------- home and search


@router.get("/", name="home")
def home(page: PageDep, session: SessionDep) -> Response:
    latest = statements.get_all(session, limit=LATEST)
    return page.render(
        "home.html",
        latest=statement_rows(latest.items),
        total=latest.total,
        csv_url=path_for(page.request, "statements_csv", CSV_LINK),
        api_url="/api/statements",
    )


@router.get("/comunicados.csv", name="statements_csv")
def statements_csv(session: SessionDep, csv_format: CsvFormatDep) -> Response:
    found = every_page(lambda limit, cursor: statements.get_all(session, limit=limit, cursor=cursor))
    return csv_format.response("comunicados.csv", STATEMENT_COLUMNS, statement_rows(found))


@router.get("/buscar", name="search")
def search(
    page: PageDep,
    session: SessionDep,
    filters: FiltersDep,
    org_cursor: str | None = CURSOR,
    st_cursor: str | None = CURSOR,
) -> Response:
    found_organizations = filters.organizations(session, PAGE_SIZE, org_cursor)
    found_statements = filters.statements(session, PAGE_SIZE, st_cursor)
    query = filters.query()
    return page.render(
        "search.html",
        filters=filters,
        organizations=found_organizations,
        statements=statement_rows(found_statements.items),
        statements_total=found_statements.total,
        next_organizations=next_link(page.request, "search", query, "org_cursor", found_organizations.next_cursor),
        next_statements=next_link(page.request, "search", query, "st_cursor", found_statements.next_cursor),
        regions=all_regions(),
        sectors=SECTORS,
        years=statements.years(session),
        statement_choices=statements.get_all(session, limit=CSV_PAGE).items,
        organizations_csv=path_for(page.request, "search_organizations_csv", query | CSV_LINK),
        statements_csv=path_for(page.request, "search_statements_csv", query | CSV_LINK),
        api_url=path_for(page.request, "list_organizations", {"q": filters.q}),
    )


@router.get("/buscar/organizaciones.csv", name="search_organizations_csv")
def search_organizations_csv(
    session: SessionDep,
    filters: FiltersDep,
    csv_format: CsvFormatDep,
) -> Response:
    found = every_page(lambda limit, cursor: filters.organizations(session, limit, cursor))
    return csv_format.response("organizaciones.csv", ORGANIZATION_COLUMNS, [organization_row(org) for org in found])


@router.get("/buscar/comunicados.csv", name="search_statements_csv")
def search_statements_csv(
    session: SessionDep,
    filters: FiltersDep,
    csv_format: CsvFormatDep,
) -> Response:
    found = every_page(lambda limit, cursor: filters.statements(session, limit, cursor))
    return csv_format.response("comunicados.csv", STATEMENT_COLUMNS, statement_rows(found))


# ---------------------------------------------------------------- organization


def live_or_redirect(request: Request, session: Session, slug: str, route: str) -> Organization | RedirectResponse:
    """The organization; a merged one answers 308 to its survivor's page, like the API."""
    organization = organizations.get(session, slug)
    if organization.merged_into_id is None:
        return organization
    survivor = session.get_one(Organization, review.survivor_id(session, organization.id))
    return RedirectResponse(path_for(request, route, slug=survivor.slug), status_code=308)


@router.get("/organizaciones/{slug}", name="organization_page")
def organization_page(page: PageDep, session: SessionDep, slug: str) -> Response:
    organization = live_or_redirect(page.request, session, slug, "organization_page")
    if isinstance(organization, RedirectResponse):
        return organization
    return page.render(
        "organization.html",
        organization=organization,
        region_label=region_name(organization.region_code) if organization.region_code else None,
        names=organizations.printed_names(session, organization.id),
        signed=organizations.statements_signed(session, organization.id),
        cosignatories=organizations.frequent_cosignatories(session, organization.id),
        csv_url=path_for(page.request, "organization_csv", CSV_LINK, slug=organization.slug),
        api_url=path_for(page.request, "get_organization", id_or_slug=organization.slug),
    )


@router.get("/organizaciones/{slug}/comunicados.csv", name="organization_csv")
def organization_csv(request: Request, session: SessionDep, csv_format: CsvFormatDep, slug: str) -> Response:
    organization = live_or_redirect(request, session, slug, "organization_csv")
    if isinstance(organization, RedirectResponse):
        return organization
    rows = [
        {
            "slug": signed.slug,
            "title": signed.title,
            "date": date_at_precision(signed.published_on, signed.date_precision) or "",
            "kind": signed.kind,
            "positions": " ".join(signed.positions),
        }
        for signed in organizations.statements_signed(session, organization.id)
    ]
    return csv_format.response(f"{organization.slug}.csv", ["slug", "title", "date", "kind", "positions"], rows)


# ---------------------------------------------------------------- statement


@router.get("/comunicados/{slug}", name="statement_page")
def statement_page(page: PageDep, session: SessionDep, slug: str) -> Response:
    statement = statements.get(session, slug)
    lines = statements.lines(session, statement.id)
    return page.render(
        "statement.html",
        statement=statement,
        lines=lines,
        organization_count=len({line.organization_id for line in lines}),
        csv_url=path_for(page.request, "statement_csv", CSV_LINK, slug=statement.slug),
        api_url=path_for(page.request, "get_statement", id_or_slug=statement.slug),
    )


LINE_COLUMNS = [
    "statement_title",
    "statement_date",
    "statement_url",
    "organization",
    "position",
    "raw_text",
    "is_repeat",
    "organization_id",
    "organization_slug",
    "organization_name",
]


@router.get("/comunicados/{slug}/firmas.csv", name="statement_csv")
def statement_csv(session: SessionDep, csv_format: CsvFormatDep, slug: str) -> Response:
    """The signature lines in the import format (so the file can be imported again) plus where each resolves."""
    statement = statements.get(session, slug)
    first_url = statement.urls[0].url if statement.urls else ""
    rows = [
        {
            "statement_title": statement.title,
            "statement_date": date_at_precision(statement.published_on, statement.date_precision) or "",
            "statement_url": first_url,
            "organization": line.printed_name,
            "position": line.position or "",
            "raw_text": line.raw_text,
            "is_repeat": "yes" if line.is_repeat else "no",
            "organization_id": line.organization_id,
            "organization_slug": line.organization_slug,
            "organization_name": line.organization_name,
        }
        for line in statements.lines(session, statement.id)
    ]
    return csv_format.response(f"{statement.slug}.csv", LINE_COLUMNS, rows)


# ---------------------------------------------------------------- regions


@router.get("/regiones", name="regions_page")
def regions_page(page: PageDep) -> Response:
    return page.render("regions.html", regions=all_regions())


def known_region(code: str) -> tuple[str, str]:
    name = region_name(code)
    if name is None:
        raise NotFound(f"No region with code '{code}'.", parameter="code")
    return code.upper(), name


@router.get("/regiones/{code}", name="region_page")
def region_page(
    page: PageDep, session: SessionDep, code: str, org_cursor: str | None = CURSOR, st_cursor: str | None = CURSOR
) -> Response:
    code, name = known_region(code)
    found_organizations = organizations.search_filtered(session, q=None, region=code, limit=PAGE_SIZE, cursor=org_cursor)
    found_statements = statements.get_all(session, statements.StatementFilters(region=[code]), limit=PAGE_SIZE, cursor=st_cursor)
    slug = code.lower()
    return page.render(
        "region.html",
        code=code,
        name=name,
        organizations=found_organizations,
        statements=statement_rows(found_statements.items),
        statements_total=found_statements.total,
        next_organizations=next_link(page.request, "region_page", {}, "org_cursor", found_organizations.next_cursor, code=slug),
        next_statements=next_link(page.request, "region_page", {}, "st_cursor", found_statements.next_cursor, code=slug),
        csv_url=path_for(page.request, "region_csv", CSV_LINK, code=slug),
        api_url=path_for(page.request, "list_organizations", {"region": code}),
    )


@router.get("/regiones/{code}/organizaciones.csv", name="region_csv")
def region_csv(session: SessionDep, csv_format: CsvFormatDep, code: str) -> Response:
    code, _ = known_region(code)
    found = every_page(
        lambda limit, cursor: organizations.search_filtered(session, q=None, region=code, limit=limit, cursor=cursor)
    )
    return csv_format.response(f"{code.lower()}.csv", ORGANIZATION_COLUMNS, [organization_row(org) for org in found])
