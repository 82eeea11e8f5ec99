"""Bulk downloads of the whole dataset, streamed: CSV of statements, organizations and signature
lines, and Popolo-style JSON of organizations and their signatures."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.api.listing import json_response
from app.services import bulk_export, datapackage

router = APIRouter(prefix="/api/export", tags=["export"])

BomQuery = Query(
    False,
    description="Start the file with a UTF-8 byte-order mark, so that Excel shows accents right (`bom=1`).",
    examples=[True],
)
DelimiterQuery = Query(
    ",", pattern="^(,|;|tab)$", description="The separator: `,` (default), `;` (Spanish-locale Excel) or `tab`.", examples=[";"]
)
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def _stream(request: Request, produce: Callable[[Session], Iterator[bytes]]) -> Iterator[bytes]:
    """The export's chunks from a session of its own.

    why: the request's session dependency may be closed before a streamed body is sent; this one
    lives exactly as long as the body, and is closed even when the client disconnects midway.
    """
    with request.app.state.session_factory() as session, session.begin():
        yield from produce(session)


def _download(request: Request, filename: str, media_type: str, produce: Callable[[Session], Iterator[bytes]]) -> StreamingResponse:
    return StreamingResponse(
        _stream(request, produce),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv(request: Request, filename: str, columns: tuple[str, ...], rows, bom: bool, delimiter: str) -> StreamingResponse:
    separator = "\t" if delimiter == "tab" else delimiter
    return _download(
        request, filename, CSV_MEDIA_TYPE,
        lambda session: bulk_export.csv_chunks(columns, rows(session), bom=bom, delimiter=separator),
    )  # fmt: skip


CSV_RESPONSE = {200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a header row, streamed."}}


@router.get("/statements.csv", response_class=StreamingResponse, responses=CSV_RESPONSE, summary="Every statement (CSV)")
def export_statements(request: Request, bom: bool = BomQuery, delimiter: str = DelimiterQuery) -> StreamingResponse:
    """One row per statement, by id: `id, slug, title, kind, date` (as precise as the source:
    2021-11), `date_precision, language, translator, addressees, urls` (separated by " | "),
    `line_count, organization_count, summary, body, notes`."""
    return _csv(request, "statements.csv", bulk_export.STATEMENT_COLUMNS, bulk_export.statement_rows, bom, delimiter)


@router.get("/organizations.csv", response_class=StreamingResponse, responses=CSV_RESPONSE, summary="Every organization (CSV)")
def export_organizations(request: Request, bom: bool = BomQuery, delimiter: str = DelimiterQuery) -> StreamingResponse:
    """One row per organization, by id, merged ones included (`merged_into_id` set): name, acronym,
    country, region (code, name, source), sector (and source), every printed name (" | "),
    statement count, first and last signature dates."""
    return _csv(request, "organizations.csv", bulk_export.ORGANIZATION_COLUMNS, bulk_export.organization_rows, bom, delimiter)


@router.get("/signatures.csv", response_class=StreamingResponse, responses=CSV_RESPONSE, summary="Every signature line (CSV)")
def export_signatures(request: Request, bom: bool = BomQuery, delimiter: str = DelimiterQuery) -> StreamingResponse:
    """One row per printed signature line, by statement and printed order: the statement (id, slug,
    title, date), `sort_order`, the printed `position`, `raw_text` exactly as printed, the printed
    name, the organization it names now (id, slug, name, region code and source) and `is_repeat`."""
    return _csv(request, "signatures.csv", bulk_export.SIGNATURE_COLUMNS, bulk_export.signature_rows, bom, delimiter)


@router.get(
    "/popolo.json",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/json": {}}, "description": "Popolo-style JSON, streamed."}},
    summary="Organizations, statements and signatures as Popolo-style JSON",
)
def export_popolo(request: Request) -> StreamingResponse:
    """`{"organizations": [...], "events": [...], "signatures": [...]}`: Popolo organizations (printed
    names as `other_names`, region as `area_id`, sector as `classification`), statements as Popolo
    events, and one signature per printed line linking an event to an organization. The mapping
    is described in docs/exports.md."""
    return _download(request, "firmas-popolo.json", "application/json", bulk_export.popolo_chunks)


@router.get("/datapackage.json", summary="Frictionless Data Package describing the three CSV downloads")
def export_datapackage(request: Request) -> Response:
    """A [Data Package](https://specs.frictionlessdata.io/data-package/) with a Table Schema for
    `statements.csv`, `organizations.csv` and `signatures.csv` (paths relative to this URL): column
    types, primary keys and the foreign keys that join them. `frictionless validate
    http://…/api/export/datapackage.json` checks the downloads against it."""
    return json_response(request, datapackage.descriptor())
