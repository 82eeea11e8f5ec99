"""The W3C / OpenRefine Reconciliation Service API (version 0.2) over organizations.

OpenRefine reads the manifest with a GET, then POSTs batches as a form field `queries=<JSON>`;
GET `?queries=` and JSONP (`callback`) are accepted too.
"""

from __future__ import annotations

import html
import re
from typing import Any

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import SessionDep, SettingsDep
from app.errors import InvalidInput
from app.models import Organization
from app.identity.regions import region_name
from app.services import organizations, reconcile, review
from app.settings import Settings

router = APIRouter(prefix="/api/reconcile", tags=["reconciliation"])

PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 120
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
_PREVIEW_NAMES = 5

QUERIES_DESCRIPTION = (
    "A JSON object of query id -> query: `query` (the name), optional `type` (\"organization\"), "
    "`limit` (default 5, at most 100) and `properties` ([{\"pid\": \"region\", \"v\": \"Zulia\"}]; "
    "`region` is an ISO 3166-2 code or a region name, `country` an ISO 3166-1 code). "
    "Without it, the answer is the service manifest."
)
QUERIES_EXAMPLE = (
    '{"q0": {"query": "Acceso a la Justicia", "type": "organization", "limit": 3}, '
    '"q1": {"query": "PROVEA", "properties": [{"pid": "region", "v": "VE-A"}]}}'
)
CallbackQuery = Query(
    None,
    max_length=100,
    description="JSONP: wrap the answer in a call to this JavaScript function.",
    examples=["jsonp_callback"],
)


def _base_url(request: Request, settings: Settings) -> str:
    return (settings.public_base_url or str(request.base_url)).rstrip("/")


def manifest(base: str) -> dict[str, Any]:
    return {
        "versions": ["0.2"],
        "name": "Firmas: organizations that sign joint statements",
        "identifierSpace": f"{base}/api/organizations/",
        "schemaSpace": f"{base}/api/reconcile#types",
        "documentation": f"{base}/docs#/reconciliation",
        "defaultTypes": [reconcile.ORGANIZATION_TYPE],
        "view": {"url": f"{base}/api/organizations/{{{{id}}}}"},
        "preview": {"url": f"{base}/api/reconcile/preview?id={{{{id}}}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
    }


def _answer(body: Any, callback: str | None) -> Response:
    payload = orjson.dumps(body)
    if callback is None:
        return Response(payload, media_type="application/json")
    if not _CALLBACK.match(callback):
        raise InvalidInput("callback must be a JavaScript identifier such as 'jsonp_callback'.", parameter="callback")
    return Response(f"{callback}(".encode() + payload + b");", media_type="application/javascript")


def _reconciled(session: Session, queries: str) -> dict[str, Any]:
    batch = reconcile.parse_batch(queries)
    results = reconcile.reconcile_batch(session, batch)
    return {key: {"result": [reconcile.result_item(candidate) for candidate in found]} for key, found in results.items()}


@router.get(
    "",
    summary="Service manifest, or reconcile a batch given as ?queries=",
    response_description="The manifest (no `queries`), or {query id: {result: [candidates]}}.",
)
def reconcile_get(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    queries: str | None = Query(None, max_length=1_000_000, description=QUERIES_DESCRIPTION, examples=[QUERIES_EXAMPLE]),
    callback: str | None = CallbackQuery,
) -> Response:
    """Without `queries`: the manifest OpenRefine reads when the service is added. With it:
    candidates for each query, best first, each with `score` (0-100) and `match` (true only
    when one of the organization's printed names has the query's match key, or the query is its
    unique acronym)."""
    if queries is None:
        return _answer(manifest(_base_url(request, settings)), callback)
    return _answer(_reconciled(session, queries), callback)


@router.post(
    "",
    summary="Reconcile a batch of names (form field `queries`, as OpenRefine sends it)",
    response_description="{query id: {result: [candidates]}}",
)
def reconcile_post(
    session: SessionDep,
    queries: str = Form(max_length=1_000_000, description=QUERIES_DESCRIPTION, examples=[QUERIES_EXAMPLE]),
    callback: str | None = CallbackQuery,
) -> Response:
    """The batch as an `application/x-www-form-urlencoded` field `queries`; see GET for the answer."""
    return _answer(_reconciled(session, queries), callback)


@router.get(
    "/preview",
    response_class=HTMLResponse,
    summary="A small HTML card of one organization, for OpenRefine's preview pane",
)
def preview(
    request: Request,
    session: SessionDep,
    id: str = Query(description="Organization id (as returned in candidates) or slug.", examples=["12"]),
) -> HTMLResponse:
    """Name, acronym, region, sector, the names it was printed as and how many statements it signed.
    A merged organization's id shows the survivor."""
    organization = organizations.get(session, id)
    if organization.merged_into_id is not None:
        organization = session.get_one(Organization, review.survivor_id(session, organization.id))
    return HTMLResponse(_preview_html(request, session, organization))


def _preview_html(request: Request, session: Session, organization: Organization) -> str:
    escape = html.escape
    printed = organizations.printed_names(session, organization.id)
    signed = len(organizations.statements_signed(session, organization.id))
    facts = [organization.acronym] if organization.acronym else []
    if organization.region_code:
        facts.append(f"{region_name(organization.region_code) or ''} ({organization.region_code})")
    if organization.sector:
        facts.append(organization.sector)
    facts.append(f"{signed} statement{'s' if signed != 1 else ''}")
    link = str(request.url_for("get_organization", id_or_slug=organization.slug))
    shown = "".join(f"<li>{escape(name)}</li>" for name in printed[:_PREVIEW_NAMES])
    more = f"<li>… {len(printed) - _PREVIEW_NAMES} more</li>" if len(printed) > _PREVIEW_NAMES else ""
    return (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        f"<title>{escape(organization.name)}</title>"
        "<style>body{font:13px sans-serif;margin:6px}h1{font-size:15px;margin:0 0 4px}"
        "p,ul{margin:2px 0}ul{padding-left:16px}</style></head><body>"
        f'<h1><a href="{escape(link)}" target="_blank">{escape(organization.name)}</a></h1>'
        f"<p>{escape(' · '.join(facts))}</p>"
        f"<ul>{shown}{more}</ul></body></html>"
    )
