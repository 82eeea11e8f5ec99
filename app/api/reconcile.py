"""The W3C / OpenRefine Reconciliation Service API (version 0.2) over organizations.

OpenRefine reads the manifest with a GET, then POSTs batches as a form field `queries=<JSON>`
(and `extend=<JSON>` to add columns); GET `?queries=`/`?extend=` and JSONP (`callback`) are
accepted too. Suggest, flyout, property proposals and feature pages serve the rest of 0.2.
"""

from __future__ import annotations

import html
import re
from typing import Any

import orjson
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import SessionDep, SettingsDep
from app.errors import InvalidInput, NotFound
from app.models import Organization
from app.identity.regions import region_name
from app.services import organizations, reconcile, reconcile_more, review
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
        "view": {"url": f"{base}/organizaciones/{{{{id}}}}"},
        "preview": {"url": f"{base}/api/reconcile/preview?id={{{{id}}}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
        "feature_view": {"url": f"{base}/api/reconcile/features/{{{{id}}}}"},
        "suggest": {
            "entity": {"service_url": base, "service_path": "/api/reconcile/suggest/entity",
                       "flyout_service_path": "/api/reconcile/flyout?id=${id}"},
            "type": {"service_url": base, "service_path": "/api/reconcile/suggest/type"},
            "property": {"service_url": base, "service_path": "/api/reconcile/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/api/reconcile/properties"},
            "property_settings": [],
        },
    }  # fmt: skip


def _answer(body: Any, callback: str | None) -> Response:
    payload = orjson.dumps(body)
    if callback is None:
        return Response(payload, media_type="application/json")
    if not _CALLBACK.match(callback):
        raise InvalidInput("callback must be a JavaScript identifier such as 'jsonp_callback'.", parameter="callback")
    return Response(f"{callback}(".encode() + payload + b");", media_type="application/javascript")


EXTEND_DESCRIPTION = (
    'Data extension: {"ids": ["12", …], "properties": [{"id": "region"}, …]} (ids as candidates give them; '
    "properties from GET /api/reconcile/properties). Answers {meta, rows}."
)
EXTEND_EXAMPLE = '{"ids": ["1", "2"], "properties": [{"id": "region"}, {"id": "statement_count"}]}'


def _served(session: Session, request: Request, settings: Settings, queries: str | None, extend: str | None) -> Any:
    if queries is not None and extend is not None:
        raise InvalidInput("Send either queries or extend, not both.", parameter="extend")
    if extend is not None:
        return reconcile_more.extend(session, reconcile_more.parse_extend(extend))
    if queries is not None:
        return _reconciled(session, queries)
    return manifest(_base_url(request, settings))


def _reconciled(session: Session, queries: str) -> dict[str, Any]:
    batch = reconcile.parse_batch(queries)
    results = reconcile.reconcile_batch(session, batch)
    return {key: {"result": [reconcile.result_item(candidate) for candidate in found]} for key, found in results.items()}


@router.get(
    "",
    summary="Service manifest, or reconcile a batch given as ?queries=, or extend with ?extend=",
    response_description="The manifest (no `queries` nor `extend`), {query id: {result: [candidates]}}, or {meta, rows}.",
)
def reconcile_get(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    queries: str | None = Query(None, max_length=1_000_000, description=QUERIES_DESCRIPTION, examples=[QUERIES_EXAMPLE]),
    extend: str | None = Query(None, max_length=1_000_000, description=EXTEND_DESCRIPTION, examples=[EXTEND_EXAMPLE]),
    callback: str | None = CallbackQuery,
) -> Response:
    """Without parameters: the manifest OpenRefine reads when the service is added. With `queries`:
    candidates for each query, best first, each with `score` (0-100), `match` (true only when one
    of the organization's printed names has the query's match key, the query is its unique acronym,
    or its id or slug) and the `features` the score comes from. With `extend`: property values."""
    return _answer(_served(session, request, settings, queries, extend), callback)


@router.post(
    "",
    summary="Reconcile a batch of names (form field `queries`, as OpenRefine sends it), or extend (`extend`)",
    response_description="{query id: {result: [candidates]}}, or {meta, rows} for `extend`",
)
def reconcile_post(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    queries: str | None = Form(None, max_length=1_000_000, description=QUERIES_DESCRIPTION, examples=[QUERIES_EXAMPLE]),
    extend: str | None = Form(None, max_length=1_000_000, description=EXTEND_DESCRIPTION, examples=[EXTEND_EXAMPLE]),
    callback: str | None = CallbackQuery,
) -> Response:
    """An `application/x-www-form-urlencoded` body with `queries` or `extend`; see GET for the answers."""
    if queries is None and extend is None:
        raise InvalidInput("Send a form field queries (a JSON batch) or extend.", parameter="queries")
    return _answer(_served(session, request, settings, queries, extend), callback)


PrefixQuery = Query(max_length=500, description="What the person has typed so far.", examples=["acceso"])
SuggestTypeQuery = Query(None, max_length=100, description="Type the entities must have: `organization` (the only one).")
SuggestCursor = Query(0, ge=0, le=reconcile_more.MAX_SUGGEST_OFFSET, description="How many suggestions to skip (0.2 `cursor`).")
SuggestLimit = Query(reconcile_more.SUGGEST_LIMIT, ge=1, le=reconcile_more.MAX_SUGGEST, description="At most this many.")


@router.get("/suggest/entity", summary="Organizations for what a person is typing (suggest service)")
def suggest_entity(
    session: SessionDep,
    prefix: str = PrefixQuery,
    type: str | None = SuggestTypeQuery,
    cursor: int = SuggestCursor,
    limit: int = SuggestLimit,
    callback: str | None = CallbackQuery,
) -> Response:
    """`{result: [{id, name, description, notable}]}`: the organization whose id or slug `prefix` is,
    then those with printed-name words starting with its words (or an acronym starting with it)."""
    if type is not None and not reconcile.wants_organizations(type):
        return _answer({"result": []}, callback)
    found = reconcile_more.suggest_entities(session, prefix, limit=limit, offset=cursor)
    result = [{"id": s.id, "name": s.name, "description": s.description, "notable": [reconcile.ORGANIZATION_TYPE]} for s in found]
    return _answer({"result": result}, callback)


@router.get("/suggest/type", summary="Types for what a person is typing (suggest service)")
def suggest_type(prefix: str = PrefixQuery, cursor: int = SuggestCursor, callback: str | None = CallbackQuery) -> Response:
    """`{result: [{id, name}]}`: `organization` when `prefix` starts its id or name."""
    return _answer({"result": reconcile_more.suggest_types(prefix)[cursor:]}, callback)


@router.get("/suggest/property", summary="Properties for what a person is typing (suggest service)")
def suggest_property(
    prefix: str = PrefixQuery,
    type: str | None = SuggestTypeQuery,
    cursor: int = SuggestCursor,
    callback: str | None = CallbackQuery,
) -> Response:
    """`{result: [{id, name, description}]}`: the properties a query can give (`region`, `country`)
    and the ones data extension offers, whose id or name has a word starting with `prefix`."""
    found = reconcile_more.suggest_properties(prefix) if reconcile.wants_organizations(type) else []
    return _answer({"result": [vars_of(s) for s in found][cursor:]}, callback)


def vars_of(suggestion: reconcile_more.Suggestion) -> dict[str, str]:
    return {"id": suggestion.id, "name": suggestion.name, "description": suggestion.description}


@router.get("/properties", summary="Properties to extend organizations with (data extension proposals)")
def propose_properties(
    type: str = Query(reconcile.ORGANIZATION_TYPE["id"], max_length=100, description="The type: `organization`."),
    limit: int = Query(len(reconcile_more.EXTEND_PROPERTIES), ge=1, le=100, description="At most this many."),
    callback: str | None = CallbackQuery,
) -> Response:
    """`{type, properties: [{id, name, description}], limit}`, for OpenRefine's *Add columns from
    reconciled values*."""
    if not reconcile.wants_organizations(type):
        raise InvalidInput(f"Unknown type '{type}'; this service has organization.", parameter="type")
    proposed = [
        {"id": pid, "name": name, "description": description}
        for pid, (name, description) in reconcile_more.EXTEND_PROPERTIES.items()
    ][:limit]
    return _answer({"type": reconcile.ORGANIZATION_TYPE["id"], "properties": proposed, "limit": limit}, callback)


@router.get("/flyout", summary="A small HTML card of one organization, for suggest's flyout")
def flyout(request: Request, session: SessionDep, id: str = Query(description="Organization id.", examples=["12"]), callback: str | None = CallbackQuery) -> Response:
    """`{id, html}`: the preview card's content, for the suggest widget."""
    organization = _previewed(session, id)
    return _answer({"id": str(organization.id), "html": _card(request, session, organization)}, callback)


@router.get("/features/{feature_id}", response_class=HTMLResponse, summary="What a candidate's feature means (feature_view)")
def feature_view(feature_id: str = Path(description="A feature id of the candidates.", examples=["name_similarity"])) -> HTMLResponse:
    """The documentation page each candidate feature's id leads to."""
    text = reconcile.FEATURES.get(feature_id)
    if text is None:
        raise NotFound(f"No feature '{feature_id}'; the features are {', '.join(reconcile.FEATURES)}.", parameter="feature_id")
    escape = html.escape
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(feature_id)}</title></head>'
        f"<body><h1>{escape(feature_id)}</h1><p>{escape(text)}</p></body></html>"
    )


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
    organization = _previewed(session, id)
    return HTMLResponse(
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        f"<title>{html.escape(organization.name)}</title>"
        "<style>body{font:13px sans-serif;margin:6px}h1{font-size:15px;margin:0 0 4px}"
        "p,ul{margin:2px 0}ul{padding-left:16px}</style></head><body>"
        f"{_card(request, session, organization)}</body></html>"
    )


def _previewed(session: Session, id: str) -> Organization:
    organization = organizations.get_by_reference(session, id, parameter="id")
    if organization.merged_into_id is not None:
        organization = session.get_one(Organization, review.survivor_id(session, organization.id))
    return organization


def _card(request: Request, session: Session, organization: Organization) -> str:
    escape = html.escape
    printed = organizations.printed_names(session, organization.id)
    signed = len(organizations.statements_signed(session, organization.id))
    facts = [organization.acronym] if organization.acronym else []
    if organization.region_code:
        facts.append(f"{region_name(organization.region_code) or ''} ({organization.region_code})")
    if organization.sector:
        facts.append(organization.sector)
    facts.append(f"{signed} statement{'s' if signed != 1 else ''}")
    link = str(request.url_for("organization_page", slug=organization.slug))
    shown = "".join(f"<li>{escape(name)}</li>" for name in printed[:_PREVIEW_NAMES])
    more = f"<li>… {len(printed) - _PREVIEW_NAMES} more</li>" if len(printed) > _PREVIEW_NAMES else ""
    return (
        f'<h1><a href="{escape(link)}" target="_blank">{escape(organization.name)}</a></h1>'
        f"<p>{escape(' · '.join(facts))}</p>"
        f"<ul>{shown}{more}</ul>"
    )
