"""JSON routes for statements."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request, Response

from app.api.common import CursorQuery, LimitQuery, date_at_precision, page_out
from app.api.deps import SessionDep
from app.api.schemas import LinePublic, OrganizationRef, PageOut, StatementDetail, StatementPublic
from app.models import Statement
from app.services import statements
from app.services.statements import Counts

router = APIRouter(prefix="/api/statements", tags=["statements"])

IdOrSlug = Path(description="Numeric id or slug.", examples=["2021-11-joint-statement-icc-criminalization"])


def statement_public(request: Request, statement: Statement, counts: Counts) -> dict:
    return dict(
        id=statement.id,
        slug=statement.slug,
        title=statement.title,
        kind=statement.kind,
        published_on=statement.published_on,
        date_precision=statement.date_precision,
        date=date_at_precision(statement.published_on, statement.date_precision),
        language=statement.language,
        urls=[u.url for u in statement.urls],
        line_count=counts.lines,
        organization_count=counts.organizations,
        url=str(request.url_for("get_statement", id_or_slug=statement.slug)),
    )


@router.get("", response_model=PageOut[StatementPublic], summary="List statements, newest first")
def list_statements(
    request: Request, response: Response, session: SessionDep, limit: int = LimitQuery, cursor: str | None = CursorQuery
) -> PageOut[StatementPublic]:
    """Every statement with its line and distinct-organization counts, newest first (undated last)."""
    page = statements.get_all(session, limit=limit, cursor=cursor)
    counts = statements.counts(session, [s.id for s in page.items])
    items = [StatementPublic(**statement_public(request, s, counts[s.id])) for s in page.items]
    return page_out(request, response, page, items, limit)


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
