"""JSON routes for imports (admin only): upload a file, and the record of every attempt."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from pydantic import BaseModel, Field

from app.api.common import CursorQuery, LimitQuery, page_out
from app.api.deps import AdminDep, SessionDep
from app.api.problems import problem_response
from app.api.schemas import PageOut
from app.models import Import
from app.services import importer
from app.services.ids import MAX_ID
from app.services.importer import ImportOptions, ImportReport, Totals

router = APIRouter(prefix="/api/imports", tags=["imports"])

ImportId = Path(description="Import id.", ge=1, le=MAX_ID, examples=[1])


class ImportSummary(BaseModel):
    id: int
    file_name: str
    file_sha256: str | None = Field(description="SHA-256 of the uploaded bytes.")
    file_bytes: int | None
    actor: str = Field(description="Name of the token that imported it, 'cli' or 'seed'.")
    status: str = Field(description="applied, dry_run or refused.")
    dry_run: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    totals: Totals | None


class ImportPublic(ImportSummary):
    report: ImportReport


def _summary(record: Import) -> dict[str, Any]:
    return dict(
        id=record.id,
        file_name=record.file_name,
        file_sha256=record.file_sha256,
        file_bytes=record.file_bytes,
        actor=record.actor,
        status=record.status,
        dry_run=record.dry_run,
        started_at=_utc(record.started_at),
        finished_at=_utc(record.finished_at),
        totals=record.report.get("totals"),
    )


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def import_public(record: Import) -> ImportPublic:
    return ImportPublic.model_validate({**_summary(record), "report": record.report})


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@router.post(
    "",
    response_model=ImportPublic,
    status_code=201,
    summary="Import a signatures file (admin)",
    responses={
        200: {"description": "Dry run: the report of what would happen; nothing written."},
        401: {"description": "No valid admin token."},
        413: {"description": "The upload is larger than MAX_UPLOAD_BYTES."},
        422: {"description": "The file cannot be read, or rows are at fault (problem+json with `errors`)."},
    },
)
def upload(
    request: Request,
    response: Response,
    session: SessionDep,
    token: AdminDep,
    file: Annotated[UploadFile, File(description="CSV (long format or a list of names), or a text list with text=true.")],
    dry_run: Annotated[bool, Form(description="Report what would happen; write nothing.")] = False,
    skip_invalid: Annotated[bool, Form(description="Load the valid rows and report the rest.")] = False,
    suggestions: Annotated[bool, Form(description="false: leave duplicate suggestions to a later refresh.")] = True,
    text: Annotated[bool, Form(description="A plain-text list, one name a line ('12) Name').")] = False,
    encoding: Annotated[str | None, Form(description="Override the detected encoding, e.g. cp1252.")] = None,
    delimiter: Annotated[str | None, Form(description="Override the sniffed delimiter: ',', ';' or 'tab'.")] = None,
    title: Annotated[str | None, Form(description="Statement title, for a file without that column.")] = None,
    date: Annotated[str | None, Form(description="Statement date: YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY.")] = None,
    url: Annotated[str | None, Form(description="Statement URL.")] = None,
    language: Annotated[str | None, Form(description="Statement language (BCP 47), e.g. es.")] = None,
) -> Any:
    """Parse, resolve every printed name, write all or nothing, and record the attempt.

    The same import as `firmas import`, with the same report. Rows at fault refuse the whole file
    (422 with the rows' line, column and reason) unless `skip_invalid=true`.
    """
    delimiter = _text(delimiter)
    options = ImportOptions(
        file_name=file.filename or "upload", text=text, encoding=_text(encoding),
        delimiter="\t" if delimiter == "tab" else delimiter, title=_text(title), date=_text(date), url=_text(url),
        language=_text(language), dry_run=dry_run, skip_invalid=skip_invalid, suggestions=suggestions,
    )  # fmt: skip
    record = importer.run_import(session, file.file, options=options, actor=token.name)
    public = import_public(record)
    if record.status == "refused":
        report = record.report
        first = report["errors"][0]
        return problem_response(
            422, "Invalid input", f"{report['errors_total']} rows at fault, first line {first['line']}: {first['reason']}; "
            "nothing imported (skip_invalid=true loads the valid rows).",
            type_slug="invalid-rows", instance=request.url.path, line=first["line"], field=first["column"],
            errors=report["errors"], import_id=record.id, report=public.model_dump(mode="json")["report"],
        )  # fmt: skip
    if record.status == "dry_run":
        response.status_code = 200
    else:
        response.headers["Location"] = str(request.url_for("get_import", import_id=record.id))
    return public


@router.get("", response_model=PageOut[ImportSummary], summary="Import attempts, newest first (admin)")
def list_imports(
    request: Request,
    response: Response,
    session: SessionDep,
    _token: AdminDep,
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
) -> PageOut[ImportSummary]:
    """Every import: applied, dry runs and refused files, with who, when, the file's hash and totals."""
    page = importer.list_imports(session, limit=limit, cursor=cursor)
    return page_out(request, response, page, [ImportSummary.model_validate(_summary(r)) for r in page.items], limit)


@router.get("/{import_id}", response_model=ImportPublic, summary="One import and its full report (admin)")
def get_import(session: SessionDep, _token: AdminDep, import_id: int = ImportId) -> ImportPublic:
    return import_public(importer.get(session, import_id))
