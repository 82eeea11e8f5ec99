"""A database with something of every kind: what backup, upgrade and fault tests check survives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Base, Organization, ReviewCandidate
from app.services import review, seed, tokens


def populate(session: Session) -> None:
    """The seed, tokens (live, revoked, expiring), a merge that stands, an undone merge whose
    merged organization points at a higher id, and review decisions of each kind."""
    seed.load(session)
    tokens.create(session, name="ana", expires_at=dt.datetime(2031, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    revoked, _ = tokens.create(session, name="old")
    tokens.revoke(session, revoked.id)
    ids = session.scalars(select(Organization.id).order_by(Organization.id)).all()
    review.merge_organizations(session, ids[0], ids[-1], actor="test")
    undone = review.merge_organizations(session, ids[1], ids[2], actor="test")
    review.undo_merge(session, undone.id, actor="test")
    review.raise_suggestions(session)
    open_ids = session.scalars(select(ReviewCandidate.id).order_by(ReviewCandidate.id)).all()
    for candidate_id, decision in zip(open_ids, ("different", "unsure", "same")):
        review.decide(session, candidate_id, decision, actor="test")


def _normal(value: Any) -> Any:
    """Engines differ in how they hand back times (naive UTC or aware in the session's zone)."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    return value


def every_row(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, comparable across engines."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(_normal(value) for value in row)
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }
