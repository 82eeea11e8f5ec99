"""Row ids as the API receives them: only ASCII digits, only as large as an INTEGER column holds."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false

MAX_ID = 2**31 - 1
"""The largest value of a PostgreSQL INTEGER (and so of every id here). A larger number cannot name
a row; passed to the database it would fail (SQLite: OverflowError; PostgreSQL: out of range)."""


def row_id(text: str) -> int | None:
    """12 for "12"; None for a slug, for digits that are not ASCII ("²", "١٢") and for numbers no
    id can reach, so callers treat them as names that match nothing."""
    if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID:
        return int(text)
    return None


def id_or_slug_condition(id_column: ColumnElement[int], slug_column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """The row named by `text`: its id when `text` can be one, else its slug; none when it holds a
    NUL, which no slug does and PostgreSQL refuses to compare."""
    if "\x00" in text:
        return false()
    number = row_id(text)
    return id_column == number if number is not None else slug_column == text
