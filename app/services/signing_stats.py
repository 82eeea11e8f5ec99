"""Who signed how much: per-organization, per-statement and per-region counts kept in derived tables.

The lists show each organization's statement count and first and last signature dates, and each
statement's line and organization counts. Counting lines per request costs time in proportion to
how prolific the organizations on a page are (a thousand statements each at this registry's
scale), so the counts are stored and refreshed by every writer that changes them: the importer
(`importer.run_import`), merges and their undoing. The region list's counts join every line
(a third of a second a request at a million lines), so they are stored too and refreshed by `refresh_regions` from the
same writers and from an admin's change of an organization's region. A bulk loader that bypasses
those calls `refresh(session)` and `refresh_regions(session)` once at the end.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, delete, distinct, func, insert, literal_column, select, union_all
from sqlalchemy.orm import Session

from app.models import (
    Organization,
    OrganizationStats,
    RegionStats,
    SignatureLine,
    Statement,
    StatementStats,
)


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
            SignatureLine.organization_id,
            func.count(distinct(SignatureLine.statement_id)),
            func.min(Statement.published_on),
            func.max(Statement.published_on),
        )
        .join(Statement, Statement.id == SignatureLine.statement_id)
        .group_by(SignatureLine.organization_id)
    )
    columns = ["organization_id", "statement_count", "first_signed", "last_signed"]
    if ids is None:
        session.execute(delete(OrganizationStats))
        session.execute(insert(OrganizationStats).from_select(columns, aggregate))
        return
    for chunk in _chunks(sorted(ids)):
        session.execute(delete(OrganizationStats).where(OrganizationStats.organization_id.in_(chunk)))
        session.execute(insert(OrganizationStats).from_select(columns, aggregate.where(SignatureLine.organization_id.in_(chunk))))


def _refresh_statements(session: Session, ids: Collection[int] | None) -> None:
    aggregate = select(
        SignatureLine.statement_id,
        func.count(SignatureLine.id),
        func.count(distinct(SignatureLine.organization_id)),
    ).group_by(SignatureLine.statement_id)
    columns = ["statement_id", "line_count", "organization_count"]
    if ids is None:
        session.execute(delete(StatementStats))
        session.execute(insert(StatementStats).from_select(columns, aggregate))
        return
    for chunk in _chunks(sorted(ids)):
        session.execute(delete(StatementStats).where(StatementStats.statement_id.in_(chunk)))
        session.execute(insert(StatementStats).from_select(columns, aggregate.where(SignatureLine.statement_id.in_(chunk))))


def refresh_regions(session: Session, codes: Collection[str | None] | None = None) -> None:
    """Recompute the stored counts of these regions; None means all of them.

    A None among `codes` (an organization without a region) counts nowhere and is skipped, so
    callers may pass organizations' region codes as they are. Flushes, never commits.
    """
    session.flush()
    known = None if codes is None else [code for code in codes if code is not None]
    if known is not None and not known:
        return
    clear = delete(RegionStats)
    if known is not None:
        clear = clear.where(RegionStats.region_code.in_(known))
    session.execute(clear)
    columns = ["region_code", "organization_count", "statement_count"]
    session.execute(insert(RegionStats).from_select(columns, _region_counts(known)))


def _region_counts(codes: list[str] | None) -> Select:
    """(region, live organizations, statements signed) for regions with at least one of either.

    Statements are counted over every organization's lines, merged ones included: a merge moves
    the merged organization's lines to the survivor, so it has none left to count.
    """
    organizations = (
        select(Organization.region_code, func.count().label("organizations"), literal_column("0").label("statements"))
        .where(Organization.merged_into_id.is_(None), Organization.region_code.is_not(None))
        .group_by(Organization.region_code)
    )
    statements = (
        select(Organization.region_code, literal_column("0"), func.count(distinct(SignatureLine.statement_id)))
        .select_from(SignatureLine)
        .join(Organization, Organization.id == SignatureLine.organization_id)
        .where(Organization.region_code.is_not(None))
        .group_by(Organization.region_code)
    )
    if codes is not None:
        organizations = organizations.where(Organization.region_code.in_(codes))
        statements = statements.where(Organization.region_code.in_(codes))
    # why: one region may have organizations and no statements or (in principle) the reverse; a
    # union of both groupings summed per region is an outer join that both engines run alike.
    both = union_all(organizations, statements).subquery()
    return select(both.c.region_code, func.sum(both.c.organizations), func.sum(both.c.statements)).group_by(
        both.c.region_code
    )


# Ids per `IN (...)`: far below SQLite's and PostgreSQL's parameter limits (65,535 on PostgreSQL).
_CHUNK = 2_000


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK)]
