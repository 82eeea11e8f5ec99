"""JSON routes for statements."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from app.api import queries
from app.api.common import date_at_precision
from app.api.deps import SessionDep, in_read_thread, read_session
from app.api.listing import LIST_RESPONSES, reject_unknown_params, respond_page
from app.api.organizations import facets_public, organization_page
from app.api.queries import SignatoryQuery, StatementQuery
from app.api.schemas import (
    LineEvidencePublic,
    LinePublic,
    ListOut,
    OrganizationListItem,
    OrganizationRef,
    StatementDetail,
    StatementPublic,
)
from app.models import Statement
from app.services import statements
from app.services.paging import Page
from app.services.statements import Counts, StatementRow

router = APIRouter(prefix="/api/statements", tags=["statements"])

IdOrSlug = Path(description="Numeric id or slug.", examples=["2021-11-joint-statement-icc-criminalization"])


def statement_public(request: Request, statement: Statement, counts: Counts) -> dict:
    row = StatementRow(
        id=statement.id,
        slug=statement.slug,
        title=statement.title,
        kind=statement.kind,
        published_on=statement.published_on,
        date_precision=statement.date_precision,
        language=statement.language,
        line_count=counts.lines,
        organization_count=counts.organizations,
        urls=[u.url for u in statement.urls],
    )
    return statement_item(str(request.url_for("list_statements")) + "/", row)


STATEMENT_COLUMNS = (
    "id", "slug", "title", "kind", "published_on", "date_precision", "date", "language", "urls",
    "line_count", "organization_count", "url",
)  # fmt: skip


def statement_item(base_url: str, statement: StatementRow) -> dict[str, Any]:
    return {
        "id": statement.id,
        "slug": statement.slug,
        "title": statement.title,
        "kind": statement.kind,
        "published_on": statement.published_on,
        "date_precision": statement.date_precision,
        "date": date_at_precision(statement.published_on, statement.date_precision),
        "language": statement.language,
        "urls": statement.urls,
        "line_count": statement.line_count,
        "organization_count": statement.organization_count,
        "url": base_url + statement.slug,
    }


@router.get(
    "",
    response_model=ListOut[StatementPublic],
    summary="Search and filter statements",
    responses=LIST_RESPONSES,
    openapi_extra=queries.documented(StatementQuery),
)
async def list_statements(request: Request, query: Annotated[StatementQuery, Depends(queries.parse(StatementQuery))]) -> Response:
    """Statements matching every filter given, newest first (undated last), with their line and
    distinct-organization counts. `facets=region,sector,year` counts all matches by the
    signatories' region and sector and by year."""
    return await in_read_thread(request, _statement_page, request, query)


def _statement_page(request: Request, query: StatementQuery) -> Response:
    filters = query.filters()
    base = str(request.url_for("list_statements")) + "/"

    def fetch(session: Session, cursor: str | None) -> tuple[Page[StatementRow], list[dict[str, Any]]]:
        page = statements.get_all(session, filters, limit=query.page_size, cursor=cursor)
        return page, [statement_item(base, s) for s in page.items]

    with read_session(request) as session:
        page, rows = fetch(session, query.cursor)
        facet_counts = facets_public(statements.facets(session, filters, query.facets)) if query.facets else None
    return respond_page(request, query, page, rows, columns=STATEMENT_COLUMNS, facets=facet_counts, more=fetch)


@router.get(
    "/{id_or_slug}/signatories",
    response_model=ListOut[OrganizationListItem],
    summary="The organizations that signed a statement",
    responses=LIST_RESPONSES,
    openapi_extra=queries.documented(SignatoryQuery),
)
async def list_signatories(
    request: Request, query: Annotated[SignatoryQuery, Depends(queries.parse(SignatoryQuery))], id_or_slug: str = IdOrSlug
) -> Response:
    """Each organization with a line on the statement once (repeats and every spelling fold into
    their organization), filtered like `GET /api/organizations`, by name unless `sort` says otherwise."""
    return await in_read_thread(request, _signatory_page, request, query, id_or_slug)


def _signatory_page(request: Request, query: SignatoryQuery, id_or_slug: str) -> Response:
    with read_session(request) as session:
        statement_id = statements.get_id(session, id_or_slug)  # why: an unknown statement is a 404 here
    filters = query.filters()
    filters.signed = str(statement_id)
    return organization_page(request, query, filters)


@router.get(
    "/{id_or_slug}",
    response_model=StatementDetail,
    summary="One statement with its signature lines",
    dependencies=[Depends(reject_unknown_params)],
)
def get_statement(request: Request, session: SessionDep, id_or_slug: str = IdOrSlug) -> StatementDetail:
    """Metadata and every signature line in printed order, each with the organization it resolves to."""
    statement = statements.get(session, id_or_slug)
    lines = statements.lines(session, statement.id)
    counts = Counts(lines=len(lines), organizations=len({line.organization_id for line in lines}))
    return StatementDetail(
        **statement_public(request, statement, counts),
        translator=statement.translator,
        addressees=statement.addressees,
        summary=statement.summary,
        body=statement.body,
        notes=statement.notes,
        lines=[
            LinePublic(
                id=line.id,
                position=line.position,
                raw_text=line.raw_text,
                printed_name=line.printed_name,
                is_repeat=line.is_repeat,
                organization=OrganizationRef(
                    id=line.organization_id, slug=line.organization_slug, name=line.organization_name
                ),
                evidence=LineEvidencePublic(
                    region=line.given_region,
                    region_code=line.region_code,
                    country=line.given_country,
                    country_code=line.country,
                    acronym=line.given_acronym,
                ),
            )
            for line in lines
        ],
    )
