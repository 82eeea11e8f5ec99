"""JSON routes for organizations."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from fastapi.responses import RedirectResponse

from sqlalchemy.orm import Session

from app.api import queries
from app.api.common import date_at_precision
from app.api.deps import AdminDep, SessionDep, in_read_thread, read_session
from app.api.listing import LIST_RESPONSES, reject_unknown_params, respond_page
from app.api.queries import ListQuery, OrganizationQuery, SignatoryQuery
from app.api.schemas import (
    CosignatoryPublic,
    ListOut,
    MergePublic,
    MergeRequest,
    OrganizationDetail,
    OrganizationListItem,
    OrganizationRef,
    OrganizationUpdate,
    RegionPublic,
    SignedStatementPublic,
    SplitPublic,
    SplitRequest,
)
from app.models import Organization, Split
from app.identity.regions import region_name
from app.services import organizations, review, splits
from app.services.organizations import FacetCount, OrganizationFilters, OrganizationRow
from app.services.paging import Page

router = APIRouter(prefix="/api/organizations", tags=["organizations"])

IdOrSlug = Path(description="Numeric id or slug (admin routes); reads also take a printed name or acronym that denotes "
                "one organization (`provea`).", examples=["aqui-cabemos-todos"])


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
        region_conflict=organization.region_conflict,
        url=str(request.url_for("get_organization", id_or_slug=organization.slug)),
    )


ORGANIZATION_COLUMNS = (
    "id", "slug", "name", "acronym", "country", "region_code", "region_name", "region_source", "sector",
    "statement_count", "first_signed", "last_signed", "url",
)  # fmt: skip
COSIGNATORY_COLUMNS = (
    "organization_id", "organization_slug", "organization_name", "organization_region_code", "organization_sector",
    "shared_count", "shared_statements",
)  # fmt: skip


def organization_item(base_url: str, row: OrganizationRow) -> dict[str, Any]:
    """A list item as plain data (serialized by orjson: no model validation on the hot path)."""
    region = (
        {"code": row.region_code, "name": _region_name(row.region_code), "source": row.region_source}
        if row.region_code
        else None
    )
    return {
        "id": row.id,
        "slug": row.slug,
        "name": row.name,
        "acronym": row.acronym,
        "country": row.country,
        "region": region,
        "sector": row.sector,
        "statement_count": row.statement_count,
        "first_signed": row.first_signed,
        "last_signed": row.last_signed,
        "url": base_url + row.slug,
    }


@functools.lru_cache(maxsize=512)
def _region_name(code: str) -> str | None:
    return region_name(code)


def organizations_url(request: Request) -> str:
    return str(request.url_for("list_organizations")) + "/"


def facets_public(counts: dict[str, list[FacetCount]]) -> dict[str, list[dict[str, Any]]]:
    return {
        name: [{"value": facet.value, "label": facet.label, "count": facet.count} for facet in facets]
        for name, facets in counts.items()
    }


@router.get(
    "",
    response_model=ListOut[OrganizationListItem],
    summary="Search and filter organizations",
    responses=LIST_RESPONSES,
    openapi_extra=queries.documented(OrganizationQuery),
)
async def list_organizations(request: Request, query: Annotated[OrganizationQuery, Depends(queries.parse(OrganizationQuery))]) -> Response:
    """Live organizations (merged ones excluded) matching every filter given, with how many
    statements each signed and when.

    Name search: each word of `q` must start a word of some printed name (or `q` must start the
    acronym), ignoring accents, case and punctuation; when nothing matches, names within a few
    typos are returned instead. `facets=region,sector,year` adds counts of all matches, so "how many
    Zulia organizations signed in 2021" is `?region=Zulia&since=2021-01-01&until=2021-12-31`.
    """
    return await in_read_thread(request, organization_page, request, query, query.filters())


def organization_page(request: Request, query: SignatoryQuery, filters: OrganizationFilters) -> Response:
    """One page of organizations in the asked format (also a statement's signatories)."""
    base = organizations_url(request)

    def fetch(session: Session, cursor: str | None) -> tuple[Page[OrganizationRow], list[dict[str, Any]]]:
        page = organizations.search(session, filters, limit=query.page_size, cursor=cursor)
        match = ("approximate" if page.approximate else "exact") if filters.q else None
        return page, [organization_item(base, row) | {"match": match} for row in page.items]

    with read_session(request) as session:
        page, rows = fetch(session, query.cursor)
        counts = facets_public(organizations.facets(session, filters, query.facets)) if query.facets else None
    return respond_page(request, query, page, rows, columns=ORGANIZATION_COLUMNS, facets=counts, more=fetch)


@router.get(
    "/{id_or_slug}/cosignatories",
    response_model=ListOut[CosignatoryPublic],
    summary="Organizations that signed the most statements together with this one",
    responses=LIST_RESPONSES | {308: {"description": "Merged organization; follow Location to the survivor's."}},
    openapi_extra=queries.documented(ListQuery),
)
async def list_cosignatories(
    request: Request, query: Annotated[ListQuery, Depends(queries.parse(ListQuery))], id_or_slug: str = IdOrSlug
) -> Response:
    """Every organization that signed at least one statement with this one, the most shared first,
    with the count and the shared statements (newest first)."""
    return await in_read_thread(request, _cosignatory_page, request, query, id_or_slug)


def _cosignatory_page(request: Request, query: ListQuery, id_or_slug: str) -> Response:
    with read_session(request) as session:
        organization = organizations.get_by_reference(session, id_or_slug)
        if organization.merged_into_id is not None:
            return redirect_to_survivor(request, session, organization, "list_cosignatories")
        fetch = functools.partial(_cosignatories, organizations_url(request), query.page_size, organization.id)
        page, rows = fetch(session, query.cursor)
    return respond_page(request, query, page, rows, columns=COSIGNATORY_COLUMNS, more=fetch)


def _cosignatories(
    base: str, page_size: int, organization_id: int, session: Session, cursor: str | None
) -> tuple[Page[Any], list[dict[str, Any]]]:
    page = organizations.cosignatories(session, organization_id, limit=page_size, cursor=cursor)
    return page, [cosignatory_item(base, item) for item in page.items]


def cosignatory_item(base: str, item: Any) -> dict[str, Any]:
    return {
        "organization": organization_item(base, item.organization),
        "shared_count": item.shared_count,
        "shared_statements": [
            {
                "id": signed.id,
                "slug": signed.slug,
                "title": signed.title,
                "published_on": signed.published_on,
                "date_precision": signed.date_precision,
                "date": date_at_precision(signed.published_on, signed.date_precision),
            }
            for signed in item.shared_statements
        ],
    }


def redirect_to_survivor(request: Request, session, organization: Organization, route_name: str) -> RedirectResponse:
    """308 to the same route for the organization this one was merged into (query string kept)."""
    target = session.get_one(Organization, review.survivor_id(session, organization.id))
    url = request.url_for(route_name, id_or_slug=target.slug).include_query_params(**request.query_params)
    return RedirectResponse(str(url), status_code=308)


@router.get(
    "/{id_or_slug}",
    response_model=OrganizationDetail,
    dependencies=[Depends(reject_unknown_params)],
    summary="One organization with its printed names and the statements it signed",
    responses={308: {"description": "The organization was merged; follow Location to the survivor."}},
)
def get_organization(request: Request, session: SessionDep, id_or_slug: str = IdOrSlug) -> OrganizationDetail | RedirectResponse:
    """Names it has been printed as, acronym, region, sector and every statement it signed. A name or
    acronym that denotes several organizations is a 422 listing them in `candidates`."""
    organization = organizations.get_by_reference(session, id_or_slug)
    if organization.merged_into_id is not None:
        return redirect_to_survivor(request, session, organization, "get_organization")
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


def split_public(session, record: Split) -> SplitPublic:
    def ref(organization_id: int | None) -> OrganizationRef | None:
        if organization_id is None:
            return None
        organization = session.get_one(Organization, organization_id)
        return OrganizationRef(id=organization.id, slug=organization.slug, name=organization.name)

    return SplitPublic(
        id=record.id,
        organization=ref(record.organization_id),
        into=ref(record.into_id),
        into_name=record.into_name,
        created_into=record.created_into,
        lines=[move.line_id for move in record.moves],
        note=record.note,
        actor=record.actor,
        created_at=record.created_at,
        undone_at=record.undone_at,
        undone_by=record.undone_by,
    )


@router.post("/{id_or_slug}/split", response_model=SplitPublic, status_code=201, summary="Move lines to another organization (admin)")
def split_organization(
    session: SessionDep,
    token: AdminDep,
    request_body: SplitRequest = Body(examples=[{"lines": [431], "into": None, "name": "Fundación Luz (Mérida)"}]),
    id_or_slug: str = IdOrSlug,
) -> SplitPublic:
    """Move chosen signature lines (`lines`), or every line printed as `printed_name`, from this
    organization to `into` or to a new organization. Undo with POST /api/splits/{id}/undo; later
    imports of the same lines add nothing and do not re-join them."""
    organization = organizations.get(session, id_or_slug)
    request = splits.SplitRequest(
        line_ids=tuple(request_body.lines), printed_name=request_body.printed_name, into_id=request_body.into,
        name=request_body.name, note=request_body.note,
    )  # fmt: skip
    return split_public(session, splits.split(session, organization.id, request, actor=token.name))


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
