"""Read statements and their signature lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.models import Organization, PrintedName, SignatureLine, Statement
from app.services.ids import row_id
from app.services.paging import Page, paginate

_UNDATED = dt.date(1, 1, 1)


@dataclass(frozen=True, slots=True)
class LineView:
    position: str | None
    raw_text: str
    printed_name: str
    is_repeat: bool
    organization_id: int
    organization_slug: str
    organization_name: str


@dataclass(frozen=True, slots=True)
class Counts:
    lines: int
    organizations: int


def get(session: Session, id_or_slug: str) -> Statement:
    """A statement by numeric id or slug; NotFound otherwise."""
    number = row_id(id_or_slug)
    condition = Statement.id == number if number is not None else Statement.slug == id_or_slug
    statement = session.scalar(select(Statement).options(selectinload(Statement.urls)).where(condition))
    if statement is None:
        raise NotFound(f"No statement with id or slug '{id_or_slug}'.", parameter="id_or_slug")
    return statement


def _sort_date() -> object:
    return func.coalesce(Statement.published_on, _UNDATED)


def get_all(session: Session, *, limit: int, cursor: str | None = None) -> Page[Statement]:
    """Newest first (undated last), then by id."""
    query: Select = select(Statement).options(selectinload(Statement.urls))
    keys = [_sort_date(), Statement.id]
    return paginate(
        session,
        query,
        keys=keys,
        key_of=lambda s: [(s.published_on or _UNDATED).isoformat(), s.id],
        limit=limit,
        cursor=cursor,
        descending=True,
        cast_values=lambda values: [dt.date.fromisoformat(str(values[0])), int(values[1])],
    )


def counts(session: Session, statement_ids: list[int]) -> dict[int, Counts]:
    """Printed lines and distinct organizations per statement, in one query."""
    if not statement_ids:
        return {}
    rows = session.execute(
        select(
            SignatureLine.statement_id,
            func.count(SignatureLine.id),
            func.count(func.distinct(PrintedName.organization_id)),
        )
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .where(SignatureLine.statement_id.in_(statement_ids))
        .group_by(SignatureLine.statement_id)
    )
    found = {row[0]: Counts(lines=row[1], organizations=row[2]) for row in rows}
    return {sid: found.get(sid, Counts(0, 0)) for sid in statement_ids}


def lines(session: Session, statement_id: int) -> list[LineView]:
    """The signature lines in printed order, each with the organization it resolves to now."""
    rows = session.execute(
        select(
            SignatureLine.position,
            SignatureLine.raw_text,
            SignatureLine.is_repeat,
            PrintedName.text,
            Organization.id,
            Organization.slug,
            Organization.name,
        )
        .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
        .join(Organization, Organization.id == PrintedName.organization_id)
        .where(SignatureLine.statement_id == statement_id)
        .order_by(SignatureLine.sort_order)
    )
    return [
        LineView(
            position=row.position or None,
            raw_text=row.raw_text,
            printed_name=row.text,
            is_repeat=row.is_repeat,
            organization_id=row.id,
            organization_slug=row.slug,
            organization_name=row.name,
        )
        for row in rows
    ]


def is_empty(session: Session) -> bool:
    return session.scalar(select(Statement.id).limit(1)) is None
