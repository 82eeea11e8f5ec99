"""JSON route listing regions with their organization and statement counts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from app.api.deps import SessionDep
from app.api.listing import json_response, reject_unknown_params
from app.api.schemas import RegionCountPublic
from app.services import regions

router = APIRouter(prefix="/api/regions", tags=["regions"], dependencies=[Depends(reject_unknown_params)])


@router.get(
    "",
    response_model=list[RegionCountPublic],
    summary="Regions with organization and statement counts",
    responses={304: {"description": "Not modified: the `If-None-Match` ETag is still current."}},
)
def list_regions(request: Request, session: SessionDep) -> Response:
    """Every Venezuelan state (ISO 3166-2:VE), and any other region an organization has, by name:
    how many live organizations are based there and how many statements at least one of them signed.
    Each `url` lists the region's organizations."""
    organizations_url = request.url_for("list_organizations")
    body = [
        {
            "code": region.code,
            "name": region.name,
            "organization_count": region.organization_count,
            "statement_count": region.statement_count,
            "url": str(organizations_url.include_query_params(region=region.code)),
        }
        for region in regions.get_all(session)
    ]
    return json_response(request, body)
