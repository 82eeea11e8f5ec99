"""Admin pages: log in with an admin token, review suggested duplicates, merge, split and undo, import a CSV.

Every POST form is CSRF-checked before anything else; every write goes through the same service
functions as the API and the CLI, with the token's name as the actor.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from app.api.deps import SessionDep, SettingsDep
from app.api.guards import authentication_failed
from app.services.ids import MAX_ID
from app.errors import InvalidInput, PayloadTooLarge, Unauthorized
from app.models import CANDIDATE_STATUSES, DECISIONS, Organization, Split, Statement
from app.services import importer, organizations, review, splits, tokens
from app.web import auth
from app.web.render import PageContext, PageDep, path_for

router = APIRouter(prefix="/admin", include_in_schema=False)

REVIEW_PAGE = 20
MERGES_PAGE = 50
CsrfField = Form("", description="The form's CSRF token.")


def see_other(request: Request, name: str, query: dict | None = None) -> RedirectResponse:
    return RedirectResponse(path_for(request, name, query), status_code=303)


def admin_render(page: PageContext, template: str, *, status_code: int = 200, **context) -> Response:
    return page.render(template, status_code=status_code, csrf=auth.csrf_token(page.request), **context)


# ---------------------------------------------------------------- session


@router.get("", name="admin_home")
def admin_home(request: Request, session: SessionDep) -> Response:
    auth.current_admin(session, request)
    return see_other(request, "admin_review")


def login_form(page: PageContext, *, status_code: int = 200, error: str | None = None) -> Response:
    value = auth.new_login_csrf()
    response = page.render(
        "admin_login.html", status_code=status_code, csrf=value, error=error, next=page.request.query_params.get("next", "")
    )
    auth.set_login_csrf(page.request, response, value)
    return response


@router.get("/entrar", name="admin_login")
def login_page(page: PageDep) -> Response:
    return login_form(page)


def safe_next(target: str) -> str | None:
    """Only our own admin pages are followed after login (no open redirect)."""
    return target if re.fullmatch(r"/admin(/[\w\-/]*)?", target) else None


@router.post("/entrar", name="admin_login_submit")
def login(page: PageDep, session: SessionDep, token: str = Form(""), csrf: str = CsrfField, next: str = Form("")) -> Response:
    auth.check_login_csrf(page.request, csrf)
    try:
        admin = tokens.authenticate(session, token.strip())
    except Unauthorized as exc:
        authentication_failed(page.request)
        return login_form(page, status_code=401, error=exc.detail)
    response = RedirectResponse(safe_next(next) or path_for(page.request, "admin_review"), status_code=303)
    auth.log_in(session, page.request, response, admin)
    return response


@router.post("/salir", name="admin_logout")
def logout(request: Request, session: SessionDep, csrf: str = CsrfField) -> Response:
    auth.check_csrf(request, csrf)
    response = see_other(request, "home")
    auth.log_out(session, request, response)
    return response


# ---------------------------------------------------------------- review


@dataclass
class Side:
    organization: Organization
    names: list[str]
    signed: list[organizations.SignedStatement]


def side(session: Session, organization_id: int) -> Side:
    organization = session.get_one(Organization, organization_id)
    return Side(
        organization=organization,
        names=organizations.printed_names(session, organization_id),
        signed=organizations.statements_signed(session, organization_id),
    )


@router.get("/revision", name="admin_review")
def review_page(
    page: PageDep,
    session: SessionDep,
    status: str = Query("open", pattern=f"^({'|'.join(CANDIDATE_STATUSES)})$"),
    cursor: str | None = Query(None, max_length=500),
    done: str | None = Query(None, max_length=20),
    raised: int | None = Query(None, ge=0),
) -> Response:
    admin = auth.current_admin(session, page.request)
    found = review.list_candidates(session, status=status, limit=REVIEW_PAGE, cursor=cursor)
    pairs = [
        (candidate, side(session, candidate.organization_a_id), side(session, candidate.organization_b_id),
         review.proposed_survivor(session, candidate))
        for candidate in found.items
    ]  # fmt: skip
    return admin_render(
        page,
        "admin_review.html",
        admin=admin,
        status=status,
        statuses=CANDIDATE_STATUSES,
        pairs=pairs,
        conflicts=organizations.region_conflicts(session, limit=REVIEW_PAGE),
        total=found.total,
        done=done if done in DECISIONS else None,
        raised=raised,
        next_url=path_for(page.request, "admin_review", {"status": status, "cursor": found.next_cursor}) if found.next_cursor else None,
    )


@router.post("/revision/{candidate_id}/decision", name="admin_decide")
def decide(
    request: Request,
    session: SessionDep,
    candidate_id: int,
    decision: str = Form(""),
    csrf: str = CsrfField,
    status: str = Form("open"),
    survivor: int | None = Form(None, ge=1, le=MAX_ID),
) -> Response:
    auth.check_csrf(request, csrf)
    admin = auth.current_admin(session, request)
    review.decide(session, candidate_id, decision, actor=admin.name, survivor=survivor if decision == "same" else None)
    back = status if status in CANDIDATE_STATUSES else "open"
    return see_other(request, "admin_review", {"status": back, "done": decision})


@router.post("/revision/actualizar", name="admin_refresh")
def refresh(request: Request, session: SessionDep, csrf: str = CsrfField) -> Response:
    auth.check_csrf(request, csrf)
    auth.current_admin(session, request)
    raised = review.raise_suggestions(session)
    return see_other(request, "admin_review", {"raised": str(raised)})


# ---------------------------------------------------------------- merges


@router.get("/fusiones", name="admin_merges")
def merges_page(
    page: PageDep, session: SessionDep, cursor: str | None = Query(None, max_length=500), undone: int | None = Query(None, ge=1)
) -> Response:
    admin = auth.current_admin(session, page.request)
    found = review.list_merges(session, limit=MERGES_PAGE, cursor=cursor)
    rows = [
        (merge, session.get_one(Organization, merge.merged_id), session.get_one(Organization, merge.survivor_id))
        for merge in found.items
    ]
    return admin_render(
        page,
        "admin_merges.html",
        admin=admin,
        rows=rows,
        undone=undone,
        next_url=path_for(page.request, "admin_merges", {"cursor": found.next_cursor}) if found.next_cursor else None,
    )


@router.post("/fusiones/{merge_id}/deshacer", name="admin_undo")
def undo(request: Request, session: SessionDep, merge_id: int, csrf: str = CsrfField) -> Response:
    auth.check_csrf(request, csrf)
    admin = auth.current_admin(session, request)
    review.undo_merge(session, merge_id, actor=admin.name)
    return see_other(request, "admin_merges", {"undone": str(merge_id)})


# ---------------------------------------------------------------- one organization: split, merge with any other


@router.get("/organizaciones/{organization_id}", name="admin_organization")
def organization_page(
    page: PageDep,
    session: SessionDep,
    organization_id: int = PathParam(ge=1, le=MAX_ID),
    q: str | None = Query(None, max_length=200),
) -> Response:
    admin = auth.current_admin(session, page.request)
    organization = organizations.get(session, str(organization_id))
    if organization.merged_into_id is not None:
        target = review.survivor_id(session, organization.id)
        return RedirectResponse(path_for(page.request, "admin_organization", organization_id=target), status_code=303)
    lines = organizations.lines_of(session, organization.id)
    others = []
    if q:
        found = organizations.search(session, organizations.OrganizationFilters(q=q), limit=20)
        others = [(row, review.default_survivor(session, organization.id, row.id)) for row in found.items if row.id != organization.id]
    return admin_render(
        page,
        "admin_organization.html",
        admin=admin,
        organization=organization,
        lines=lines,
        forms=sorted({line.printed_name for line in lines}),
        shown_all=len(lines) < organizations.ADMIN_LINES_SHOWN,
        q=q or "",
        others=others,
    )


@router.post("/organizaciones/{organization_id}/dividir", name="admin_split")
def split(
    request: Request,
    session: SessionDep,
    organization_id: int = PathParam(ge=1, le=MAX_ID),
    lines: list[int] = Form(default_factory=list),
    printed_name: str = Form("", max_length=1000),
    into: str = Form("", max_length=200),
    name: str = Form("", max_length=1000),
    note: str = Form("", max_length=2000),
    csrf: str = CsrfField,
) -> Response:
    """Move the ticked lines (or every line of one printed form) to an existing organization, given
    by id or slug, or to a new one."""
    auth.check_csrf(request, csrf)
    admin = auth.current_admin(session, request)
    into_id = organizations.resolve(session, into, parameter="into")[0] if into.strip() else None
    wanted = splits.SplitRequest(
        line_ids=tuple(lines), printed_name=printed_name or None, into_id=into_id, name=name or None, note=note or None
    )
    record = splits.split(session, organization_id, wanted, actor=admin.name)
    return see_other(request, "admin_splits", {"done": str(record.id)})


@router.post("/organizaciones/{organization_id}/fusionar", name="admin_merge")
def merge(
    request: Request,
    session: SessionDep,
    organization_id: int = PathParam(ge=1, le=MAX_ID),
    other: int | None = Form(None, ge=1, le=MAX_ID),
    survivor: int | None = Form(None, ge=1, le=MAX_ID),
    csrf: str = CsrfField,
) -> Response:
    """Merge this organization and `other`; `survivor` (one of the two) keeps its id."""
    auth.check_csrf(request, csrf)
    admin = auth.current_admin(session, request)
    if other is None:
        raise InvalidInput("Say which organization to merge with.", field="other")
    if survivor not in (organization_id, other):
        raise InvalidInput("The survivor must be one of the two organizations.", field="survivor")
    merged = other if survivor == organization_id else organization_id
    review.merge_organizations(session, merged, survivor, actor=admin.name)
    return see_other(request, "admin_merges")


@router.get("/divisiones", name="admin_splits")
def splits_page(
    page: PageDep, session: SessionDep, cursor: str | None = Query(None, max_length=500), done: int | None = Query(None, ge=1),
    undone: int | None = Query(None, ge=1),
) -> Response:
    admin = auth.current_admin(session, page.request)
    found = splits.list_splits(session, limit=MERGES_PAGE, cursor=cursor)
    rows = [(record, session.get_one(Organization, record.organization_id)) for record in found.items]
    return admin_render(
        page,
        "admin_splits.html",
        admin=admin,
        rows=rows,
        done=done,
        undone=undone,
        next_url=path_for(page.request, "admin_splits", {"cursor": found.next_cursor}) if found.next_cursor else None,
    )


@router.post("/divisiones/{split_id}/deshacer", name="admin_unsplit")
def unsplit(request: Request, session: SessionDep, split_id: int = PathParam(ge=1, le=MAX_ID), csrf: str = CsrfField) -> Response:
    auth.check_csrf(request, csrf)
    admin = auth.current_admin(session, request)
    splits.undo(session, split_id, actor=admin.name)
    return see_other(request, "admin_splits", {"undone": str(split_id)})


# ---------------------------------------------------------------- CSV import


@dataclass(frozen=True)
class ImportSummary:
    title: str
    slug: str
    created: bool
    lines_added: int
    lines_present: int
    organizations_created: int


def import_upload(session: Session, path: Path, *, dry_run: bool, actor: str) -> list[ImportSummary]:
    """The one place the upload page imports a file, through the same `run_import` as the CLI and
    the API; a file with rows at fault is refused, naming the first."""
    options = importer.ImportOptions(file_name=path.name, dry_run=dry_run)
    with path.open("rb") as stream:
        record = importer.run_import(session, stream, options=options, actor=actor)
    if record.status == "refused":
        first = record.report["errors"][0]
        raise InvalidInput(f"line {first['line']}: {first['reason']}", line=first["line"], field=first["column"])
    return [
        ImportSummary(
            title=report["title"],
            slug=report["slug"],
            created=report["created"],
            lines_added=report["lines_added"],
            lines_present=report["lines_present"],
            organizations_created=report["organizations_created"],
        )
        for report in record.report["statements"]
    ]


# why: the preview and the confirmation are two requests; the file waits between them on disk,
# named by its SHA-256 so the confirmation can only import exactly what was previewed.
STAGING = Path(tempfile.gettempdir()) / "firmas-uploads"
UPLOAD_ID = re.compile(r"[0-9a-f]{64}")


def staged(upload_id: str) -> Path | None:
    path = STAGING / f"{upload_id}.csv"
    return path if UPLOAD_ID.fullmatch(upload_id) and path.is_file() else None


def stage(content: bytes) -> str:
    STAGING.mkdir(parents=True, exist_ok=True)
    upload_id = hashlib.sha256(content).hexdigest()
    (STAGING / f"{upload_id}.csv").write_bytes(content)
    return upload_id


@router.get("/importar", name="admin_import")
def import_page(page: PageDep, session: SessionDep) -> Response:
    admin = auth.current_admin(session, page.request)
    return admin_render(page, "admin_import.html", admin=admin, error=None)


@router.post("/importar", name="admin_import_preview")
async def import_preview(page: PageDep, session: SessionDep, settings: SettingsDep, file: UploadFile | None = None, csrf: str = CsrfField) -> Response:
    auth.check_csrf(page.request, csrf)
    admin = auth.current_admin(session, page.request)
    content = await file.read(settings.max_upload_bytes + 1) if file is not None else b""
    if not content:
        return admin_render(page, "admin_import.html", status_code=422, admin=admin, error=page.t("upload_empty"))
    if len(content) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"The file is larger than {settings.max_upload_bytes} bytes.", field="file")
    upload_id = stage(content)
    try:
        summaries = import_upload(session, STAGING / f"{upload_id}.csv", dry_run=True, actor=admin.name)
    except InvalidInput as exc:
        message = page.t("import_error", detail=exc.detail)
        return admin_render(page, "admin_import.html", status_code=422, admin=admin, error=message)
    return admin_render(
        page, "admin_import_report.html", admin=admin, summaries=summaries, upload_id=upload_id, filename=file.filename if file else "", confirmed=False
    )


@router.post("/importar/confirmar", name="admin_import_confirm")
def import_confirm(page: PageDep, session: SessionDep, upload: str = Form(""), csrf: str = CsrfField) -> Response:
    auth.check_csrf(page.request, csrf)
    admin = auth.current_admin(session, page.request)
    path = staged(upload)
    if path is None:
        return admin_render(page, "admin_import.html", status_code=409, admin=admin, error=page.t("upload_expired"))
    summaries = import_upload(session, path, dry_run=False, actor=admin.name)
    path.unlink(missing_ok=True)
    return admin_render(page, "admin_import_report.html", admin=admin, summaries=summaries, upload_id=upload, filename="", confirmed=True)
