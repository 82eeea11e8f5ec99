"""Shared pieces of the JSON routers: page envelopes with Link headers, and date display."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from fastapi import Query, Request, Response

from app.api.schemas import PageOut
from app.services.paging import Page

T = TypeVar("T")

LimitQuery = Query(50, ge=1, le=1000, description="Items per page (1-1000).", examples=[50])
CursorQuery = Query(None, description="Opaque cursor from a previous page's `next_cursor`.", examples=[None])


def page_out(request: Request, response: Response, page: Page[Any], items: list[T], limit: int) -> PageOut[T]:
    next_url = str(request.url.include_query_params(cursor=page.next_cursor)) if page.next_cursor else None
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return PageOut[T](items=items, total=page.total, limit=limit, next_cursor=page.next_cursor, next=next_url)


def date_at_precision(value: dt.date | None, precision: str | None) -> str | None:
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()
