"""JSON routes for organizations."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from app.api.common import CursorQuery, LimitQuery, page_out
from app.api.deps import SessionDep
from app.api.schemas import (
    OrganizationDetail,
    OrganizationPublic,
    PageOut,
    RegionPublic,
    SignedStatementPublic,
)
from app.models import Organization
from app.regions import region_name
from app.services import organizations

router = APIRouter(prefix="/api/organizations", tags=["organizations"])

IdOrSlug = Path(description="Numeric id or slug.", examples=["aqui-cabemos-todos"])


def organization_public(request: Request, organization: Organization) -> dict:
    region = (
        RegionPublic(
            code=organization.region_code,
            name=region_name(organization.region_code),
            source=organization.region_source,
        )
        if organization.region_code
        else None
    )
    return dict(
        id=organization.id,
        slug=organization.slug,
        name=organization.name,
        acronym=organization.acronym,
        country=organization.country,
        region=region,
        sector=organization.sector,
        url=str(request.url_for("get_organization", id_or_slug=organization.slug)),
    )


@router.get("", response_model=PageOut[OrganizationPublic], summary="Search organizations by any printed name")
def list_organizations(
    request: Request,
    response: Response,
    session: SessionDep,
    q: str | None = Query(
        None,
        max_length=500,
        description="Text contained in any name the organization was printed as; case, accents and punctuation are ignored.",
        examples=["aqui cabemos"],
    ),
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
) -> PageOut[OrganizationPublic]:
    """Organizations (merged ones excluded), alphabetical by slug."""
    page = organizations.search(session, q=q, limit=limit, cursor=cursor)
    items = [OrganizationPublic(**organization_public(request, org)) for org in page.items]
    return page_out(request, response, page, items, limit)


@router.get(
    "/{id_or_slug}",
    response_model=OrganizationDetail,
    summary="One organization with its printed names and the statements it signed",
    responses={308: {"description": "The organization was merged; follow Location to the survivor."}},
)
def get_organization(request: Request, session: SessionDep, id_or_slug: str = IdOrSlug):
    """Names it has been printed as, acronym, region, sector and every statement it signed."""
    organization = organizations.get(session, id_or_slug)
    if organization.merged_into_id is not None:
        target = organizations.survivor(session, organization)
        return RedirectResponse(str(request.url_for("get_organization", id_or_slug=target.slug)), status_code=308)
    return OrganizationDetail(
        **organization_public(request, organization),
        names=organizations.printed_names(session, organization.id),
        statements=[
            SignedStatementPublic(**vars(signed))
            for signed in organizations.statements_signed(session, organization.id)
        ],
    )
