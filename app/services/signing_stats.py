"""Who signed how much: per-organization and per-statement counts kept in two derived tables.

The lists show each organization's statement count and first and last signature dates, and each
statement's line and organization counts. Counting lines per request costs time in proportion to
how prolific the organizations on a page are (a thousand statements each at this registry's
scale), so the counts are stored and refreshed by every writer that changes them: the importer
(`importer.run_import`), merges and their undoing. A bulk loader that bypasses those calls
`refresh(session)` once at the end.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, distinct, func, insert, select
from sqlalchemy.orm import Session

from app.models import OrganizationStats, PrintedName, SignatureLine, Statement, StatementStats


def refresh(
    session: Session,
    *,
    organization_ids: Collection[int] | None = None,
    statement_ids: Collection[int] | None = None,
) -> None:
    """Recompute the stored counts of these organizations and statements; None means all of them.

    An empty collection refreshes nothing of that kind. Flushes, never commits.
    """
    session.flush()
    if organization_ids is None or organization_ids:
        _refresh_organizations(session, organization_ids)
    if statement_ids is None or statement_ids:
        _refresh_statements(session, statement_ids)


def _refresh_organizations(session: Session, ids: Collection[int] | None) -> None:
    aggregate = (
        select(
            PrintedName.organization_id,
            func.count(distinct(SignatureLine.statement_id)),
            func.min(Statement.published_on),
            func.max(Statement.published_on),
        )
        .join(SignatureLine, SignatureLine.printed_name_id == PrintedName.id)
        .join(Statement, Statement.id == SignatureLine.statement_id)
        .group_by(PrintedName.organization_id)
    )
    clear = delete(OrganizationStats)
    if ids is not None:
        aggregate = aggregate.where(PrintedName.organization_id.in_(list(ids)))
        clear = clear.where(OrganizationStats.organization_id.in_(list(ids)))
    session.execute(clear)
    columns = ["organization_id", "statement_count", "first_signed", "last_signed"]
    session.execute(insert(OrganizationStats).from_select(columns, aggregate))


def _refresh_statements(session: Session, ids: Collection[int] | None) -> None:
    aggregate = (
        select(
            SignatureLine.statement_id,
            func.count(SignatureLine.id),
            func.count(distinct(PrintedName.organization_id)),
        )
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .group_by(SignatureLine.statement_id)
    )
    clear = delete(StatementStats)
    if ids is not None:
        aggregate = aggregate.where(SignatureLine.statement_id.in_(list(ids)))
        clear = clear.where(StatementStats.statement_id.in_(list(ids)))
    session.execute(clear)
    session.execute(insert(StatementStats).from_select(["statement_id", "line_count", "organization_count"], aggregate))
