"""Row ids as the API receives them: only ASCII digits, only as large as an INTEGER column holds;
and the lookup of a row by id or slug."""

from __future__ import annotations

import functools
from typing import Any, Literal

from sqlalchemy import ColumnElement, Row, Select, bindparam, false, select
from sqlalchemy.orm import Session

MAX_ID = 2**31 - 1
"""The largest value of a PostgreSQL INTEGER (and so of every id here). A larger number cannot name
a row; passed to the database it would fail (SQLite: OverflowError; PostgreSQL: out of range)."""


def row_id(text: str) -> int | None:
    """12 for "12"; None for a slug, for digits that are not ASCII ("²", "١٢") and for numbers no
    id can reach, so callers treat them as names that match nothing."""
    if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID:
        return int(text)
    return None


def id_or_slug(text: str) -> tuple[Literal["id"], int] | tuple[Literal["slug"], str] | None:
    """What `text` names: ("id", 12) when it can be an id, else ("slug", text); None when it holds
    a NUL, which no slug does and PostgreSQL refuses to compare."""
    if "\x00" in text:
        return None
    number = row_id(text)
    return ("id", number) if number is not None else ("slug", text)


def id_or_slug_condition(id_column: ColumnElement[int], slug_column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """The row named by `text` (see `id_or_slug`); none when it can name no row."""
    named = id_or_slug(text)
    if named is None:
        return false()
    return id_column == named[1] if named[0] == "id" else slug_column == named[1]


def row_named(session: Session, columns: tuple[Any, ...], text: str) -> Row[Any] | None:
    """`columns` of the row of their table that `text` names (see `id_or_slug`), or None."""
    named = id_or_slug(text)
    if named is None:
        return None
    return session.connection().execute(_lookups(columns)[named[0]], {"value": named[1]}).first()


@functools.cache
def _lookups(columns: tuple[Any, ...]) -> dict[str, Select[Any]]:
    """Prebuilt, per set of columns: by id and by slug.

    why: built once, a lookup skips SQLAlchemy's per-call construction of the statement and
    adaptation of its results, which cost more than the query; every filtered list does one.
    """
    model = columns[0].class_
    selected = select(*columns)
    return {"id": selected.where(model.id == bindparam("value")), "slug": selected.where(model.slug == bindparam("value"))}
