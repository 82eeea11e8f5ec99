"""Append-only audit trail of admin actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent
from app.services.paging import Page, paginate


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor, action=action, subject_type=subject_type, subject_id=subject_id, details=details or {}
    )
    session.add(event)
    session.flush()
    return event


def list_events(session: Session, *, limit: int, cursor: str | None = None) -> Page[Any]:
    """Audit events, newest first. There is deliberately no update or delete."""
    return paginate(
        session,
        select(AuditEvent),
        keys=[AuditEvent.id],
        key_of=lambda event: [event.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
