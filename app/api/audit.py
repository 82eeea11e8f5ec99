"""The audit trail, readable by admins. Read-only by design: no route writes, edits or deletes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from app.api.common import CursorQuery, LimitQuery, page_out
from app.api.deps import AdminDep, SessionDep
from app.api.schemas import PageOut
from app.services import audit

router = APIRouter(tags=["audit"])


class AuditEventPublic(BaseModel):
    id: int
    occurred_at: dt.datetime
    actor: str = Field(description="Token name, or 'cli' for the command line.", examples=["ana"])
    action: str = Field(examples=["merge"])
    subject_type: str | None = Field(examples=["organization"])
    subject_id: int | None
    details: dict[str, Any]


@router.get("/api/audit", response_model=PageOut[AuditEventPublic], summary="Audit trail, newest first (admin)")
def list_audit_events(
    request: Request,
    response: Response,
    session: SessionDep,
    _token: AdminDep,
    limit: int = LimitQuery,
    cursor: str | None = CursorQuery,
) -> PageOut[AuditEventPublic]:
    """Every admin action (token created or revoked, decision, merge, undo, correction, import)."""
    page = audit.list_events(session, limit=limit, cursor=cursor)
    items = [AuditEventPublic.model_validate(event, from_attributes=True) for event in page.items]
    return page_out(request, response, page, items, limit)
