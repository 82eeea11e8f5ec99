"""Append-only audit trail of admin actions."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import logs, metrics
from app.models import AuditEvent
from app.services.paging import Page, paginate

log = logging.getLogger("firmas.audit")


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
    event_id = event.id  # why now: after the commit the row may be expired and unreadable
    metrics.on_commit(session, lambda: _committed(event_id, actor, action, subject_type, subject_id))
    return event


def _committed(event_id: int, actor: str, action: str, subject_type: str | None, subject_id: int | None) -> None:
    """Log and count an action once it is committed. `actor` is a token's name (or cli/seed),
    never a token: the log never sees one."""
    metrics.ADMIN_ACTIONS.labels(action).inc()
    log.info(
        "%s by %s",
        action,
        actor,
        extra=logs.extra(audit_event=event_id, actor=actor, action=action, subject_type=subject_type, subject_id=subject_id),
    )


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
