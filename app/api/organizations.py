"""JSON routes for organizations."""

from __future__ import annotations

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from app.api.common import CursorQuery, LimitQuery, page_out
from app.api.deps import AdminDep, SessionDep
from app.api.schemas import (
    MergePublic,
    MergeRequest,
    OrganizationDetail,
    OrganizationRef,
    OrganizationUpdate,
    OrganizationPublic,
    PageOut,
    RegionPublic,
    SignedStatementPublic,
)
from app.models import Organization
from app.regions import region_name
from app.services import organizations, review

router = APIRouter(prefix="/api/organizations", tags=["organizations"])

IdOrSlug = Path(description="Numeric id or slug.", examples=["aqui-cabemos-todos"])


def region_public(organization: Organization) -> RegionPublic | None:
    if not organization.region_code:
        return None
    return RegionPublic(
        code=organization.region_code,
        name=region_name(organization.region_code),
        source=organization.region_source,
        evidence=organization.region_evidence,
    )


def organization_public(request: Request, organization: Organization) -> dict:
    region = region_public(organization)
    return dict(
        id=organization.id,
        slug=organization.slug,
        name=organization.name,
        acronym=organization.acronym,
        country=organization.country,
        region=region,
        sector=organization.sector,
        sector_source=organization.sector_source,
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
def get_organization(request: Request, session: SessionDep, id_or_slug: str = IdOrSlug) -> OrganizationDetail | RedirectResponse:
    """Names it has been printed as, acronym, region, sector and every statement it signed."""
    organization = organizations.get(session, id_or_slug)
    if organization.merged_into_id is not None:
        target = session.get_one(Organization, review.survivor_id(session, organization.id))
        return RedirectResponse(str(request.url_for("get_organization", id_or_slug=target.slug)), status_code=308)
    return organization_detail(request, session, organization)


def organization_detail(request: Request, session, organization: Organization) -> OrganizationDetail:
    return OrganizationDetail(
        **organization_public(request, organization),
        names=organizations.printed_names(session, organization.id),
        statements=[
            SignedStatementPublic(**vars(signed))
            for signed in organizations.statements_signed(session, organization.id)
        ],
    )


@router.patch("/{id_or_slug}", response_model=OrganizationDetail, summary="Correct an organization (admin)")
def update_organization(
    request: Request,
    session: SessionDep,
    token: AdminDep,
    changes: OrganizationUpdate = Body(examples=[{"region": "VE-A", "sector": "ngo"}]),
    id_or_slug: str = IdOrSlug,
) -> OrganizationDetail:
    """Set name, acronym, region or sector; a region or sector set here wins over inferred ones."""
    organization = organizations.get(session, id_or_slug)
    given = changes.model_dump(exclude_unset=True)
    if "region" in given:
        given["region_code"] = given.pop("region")
    organizations.update(session, organization, given, actor=token.name)
    return organization_detail(request, session, organization)


def merge_public(session, merge) -> MergePublic:
    def ref(organization_id: int) -> OrganizationRef:
        organization = session.get_one(Organization, organization_id)
        return OrganizationRef(id=organization.id, slug=organization.slug, name=organization.name)

    return MergePublic(
        id=merge.id,
        merged=ref(merge.merged_id),
        survivor=ref(merge.survivor_id),
        candidate_id=merge.candidate_id,
        actor=merge.actor,
        created_at=merge.created_at,
        undone_at=merge.undone_at,
        undone_by=merge.undone_by,
    )


@router.post("/{id_or_slug}/merge", response_model=MergePublic, status_code=201, summary="Merge into another (admin)")
def merge_organization(
    session: SessionDep,
    token: AdminDep,
    request_body: MergeRequest = Body(examples=[{"into": 12}]),
    id_or_slug: str = IdOrSlug,
) -> MergePublic:
    """Move every printed name of this organization to `into`; its id and slug then redirect there."""
    organization = organizations.get(session, id_or_slug)
    merge = review.merge_organizations(session, organization.id, request_body.into, actor=token.name)
    return merge_public(session, merge)
