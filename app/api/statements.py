"""JSON routes for statements."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request, Response

from app.api.common import CursorQuery, LimitQuery, date_at_precision
from app.api.deps import SessionDep
from app.api.filters import FacetsDep, SignatoryFiltersDep, StatementFiltersDep
from app.api.listing import LIST_RESPONSES, OutputDep, reject_unknown_params, respond_page
from app.api.organizations import ORGANIZATION_COLUMNS, facets_public, organization_item, organizations_url
from app.api.schemas import (
    LinePublic,
    ListOut,
    OrganizationListItem,
    OrganizationRef,
    StatementDetail,
    StatementPublic,
)
from app.models import Statement
from app.services import organizations, statements
from app.services.statements import Counts

router = APIRouter(prefix="/api/statements", tags=["statements"], dependencies=[Depends(reject_unknown_params)])

IdOrSlug = Path(description="Numeric id or slug.", examples=["2021-11-joint-statement-icc-criminalization"])


def statement_public(request: Request, statement: Statement, counts: Counts) -> dict:
    return statement_item(str(request.url_for("list_statements")) + "/", statement, counts)


STATEMENT_COLUMNS = (
    "id", "slug", "title", "kind", "published_on", "date_precision", "date", "language", "urls",
    "line_count", "organization_count", "url",
)  # fmt: skip


def statement_item(base_url: str, statement: Statement, counts: Counts) -> dict[str, Any]:
    return {
        "id": statement.id,
        "slug": statement.slug,
        "title": statement.title,
        "kind": statement.kind,
        "published_on": statement.published_on,
        "date_precision": statement.date_precision,
        "date": date_at_precision(statement.published_on, statement.date_precision),
        "language": statement.language,
        "urls": [u.url for u in statement.urls],
        "line_count": counts.lines,
        "organization_count": counts.organizations,
        "url": base_url + statement.slug,
    }


@router.get("", response_model=ListOut[StatementPublic], summary="Search and filter statements", responses=LIST_RESPONSES)
def list_statements(
    request: Request,
    session: SessionDep,
    filters: StatementFiltersDep,
    facets: FacetsDep,
    output: OutputDep,
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
) -> Response:
    """Statements matching every filter given, newest first (undated last), with their line and
    distinct-organization counts. `facets=region,sector,year` counts all matches by the
    signatories' region and sector and by year."""
    page = statements.get_all(session, filters, limit=limit, cursor=cursor)
    counts = statements.counts(session, [s.id for s in page.items])
    base = str(request.url_for("list_statements")) + "/"
    rows = [statement_item(base, s, counts[s.id]) for s in page.items]
    facet_counts = facets_public(statements.facets(session, filters, facets)) if facets else None
    return respond_page(request, output, page, rows, limit=limit, columns=STATEMENT_COLUMNS, facets=facet_counts)


@router.get(
    "/{id_or_slug}/signatories",
    response_model=ListOut[OrganizationListItem],
    summary="The organizations that signed a statement",
    responses=LIST_RESPONSES,
)
def list_signatories(
    request: Request,
    session: SessionDep,
    filters: SignatoryFiltersDep,
    facets: FacetsDep,
    output: OutputDep,
    id_or_slug: str = IdOrSlug,
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
) -> Response:
    """Each organization with a line on the statement once (repeats and every spelling fold into
    their organization), filtered like `GET /api/organizations`, by name unless `sort` says otherwise."""
    statement = statements.get(session, id_or_slug)
    filters.signed = str(statement.id)
    page = organizations.search(session, filters, limit=limit, cursor=cursor)
    base = organizations_url(request)
    rows = [organization_item(base, row) for row in page.items]
    counts = facets_public(organizations.facets(session, filters, facets)) if facets else None
    return respond_page(request, output, page, rows, limit=limit, columns=ORGANIZATION_COLUMNS, facets=counts)


@router.get("/{id_or_slug}", response_model=StatementDetail, summary="One statement with its signature lines")
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
                position=line.position,
                raw_text=line.raw_text,
                printed_name=line.printed_name,
                is_repeat=line.is_repeat,
                organization=OrganizationRef(
                    id=line.organization_id, slug=line.organization_slug, name=line.organization_name
                ),
            )
            for line in lines
        ],
    )
