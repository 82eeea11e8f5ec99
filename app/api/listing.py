"""How every list answers: JSON, CSV (optionally with a BOM for Excel) or NDJSON, paged, with ETag.

Also the guard that turns unknown query parameters into a 422 problem naming them: a typo such
as `?regoin=VE-V` would otherwise silently return everything.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.api.queries import NDJSON, ListQuery
from app.errors import InvalidInput
from app.services.exports import neutralize
from app.services.paging import Page

CACHE_CONTROL = "public, max-age=60"
_CSV_CHUNK_ROWS = 200
_BOM = "\ufeff"

LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page. With `format=csv` (or `Accept: text/csv`) a CSV with a header row; "
        "with `format=ndjson` one JSON object per line. The next page is in the `Link` header.",
        "content": {"text/csv": {"example": "id,slug,name\n1,aqui-cabemos-todos,Aquí Cabemos Todos\n"}, NDJSON: {}},
    },
    304: {"description": "Not modified: the `If-None-Match` ETag is still current."},
    422: {"description": "A bad or unknown query parameter, named in `parameter`."},
}


async def reject_unknown_params(request: Request) -> None:
    """422 when the query string has a parameter the route does not declare."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    unknown = sorted(set(request.query_params) - _declared_query_params(route))
    if unknown:
        raise InvalidInput(
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            parameter=unknown[0],
            unknown=unknown,
        )


_DECLARED: dict[int, frozenset[str]] = {}


def _declared_query_params(route: Any) -> frozenset[str]:
    """The query parameters a route and its dependencies declare (worked out once per route)."""
    known = _DECLARED.get(id(route))
    if known is not None:
        return known
    names: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(param.alias for param in dependant.query_params)
        pending.extend(dependant.dependencies)
    _DECLARED[id(route)] = frozenset(names)
    return _DECLARED[id(route)]


def etag_of(*parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    return f'"{digest.hexdigest()}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names `etag` (weak comparison, as RFC 9110 asks for GET)."""
    if if_none_match is None:
        return False
    return if_none_match.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]


def not_modified(request: Request, etag: str) -> bool:
    return etag_matches(request.headers.get("if-none-match"), etag)


def _cache_headers(etag: str, link: str | None = None) -> dict[str, str]:
    # why Vary: one URL gives JSON, CSV or NDJSON by `Accept`, and all are publicly cacheable.
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    if link:
        headers["Link"] = f'<{link}>; rel="next"'
    return headers


def json_response(request: Request, body: Any, *, link: str | None = None) -> Response:
    """JSON (orjson) with an ETag of its bytes; 304 when the client already has them."""
    content = orjson.dumps(body)
    etag = etag_of(content)
    headers = _cache_headers(etag, link)
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(content, media_type="application/json", headers=headers)


MoreRows = Callable[[Session, str], tuple[Page[Any], list[dict[str, Any]]]]
"""The page after a cursor and its rows, read with the session given (for limit=all)."""


def respond_page(
    request: Request,
    query: ListQuery,
    page: Page[Any],
    rows: list[dict[str, Any]],
    *,
    columns: tuple[str, ...],
    facets: dict[str, Any] | None = None,
    more: MoreRows | None = None,
) -> Response:
    """One page of `rows` in the requested format; CSV and NDJSON carry the cursor in `Link` only.

    CSV has one column per name in `columns`: nested objects are flattened (`region_code`), lists
    are written as JSON text, and cells a spreadsheet would run as formulas are neutralized.
    With limit=all (CSV, NDJSON) every page after this one is read by `more` while the body streams.
    """
    output_format = query.output_format(request)
    if query.wants_all:
        if output_format == "json" or more is None:
            raise InvalidInput("limit=all streams CSV or NDJSON (format=csv or format=ndjson); JSON is paged.", parameter="limit")
        return _respond_all(request, query, output_format, page, rows, columns, more)
    link = str(request.url.include_query_params(cursor=page.next_cursor)) if page.next_cursor else None
    if output_format == "json":
        body: dict[str, Any] = {
            "items": rows,
            "total": page.total,
            "limit": query.limit,
            "next_cursor": page.next_cursor,
            "next": link,
        }
        if facets is not None:
            body["facets"] = facets
        return json_response(request, body, link=link)
    serialized = orjson.dumps(rows)
    etag = etag_of(output_format.encode(), b"bom" if query.bom else b"", query.delimiter.encode(), serialized, str(page.total).encode())
    headers = _cache_headers(etag, link) | {"X-Total-Count": str(page.total)}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    if output_format == "ndjson":
        return StreamingResponse(_ndjson_lines(rows), media_type=NDJSON, headers=headers)
    return StreamingResponse(_csv_chunks(rows, columns, query.bom, query.separator), media_type="text/csv; charset=utf-8", headers=headers)


def _respond_all(
    request: Request, query: ListQuery, output_format: str, page: Page[Any], rows: list[dict[str, Any]],
    columns: tuple[str, ...], more: MoreRows,
) -> Response:  # fmt: skip
    """Every match in one streamed response, read a page at a time: memory holds one page.

    why no ETag: it would need the whole body first; the Cache-Control set here also tells the
    conditional-GET middleware not to buffer the body to hash it.
    """
    headers = {"Cache-Control": "no-cache", "Vary": "Accept", "X-Total-Count": str(page.total)}
    every = _every_row(request, rows, page.next_cursor, more)
    if output_format == "ndjson":
        return StreamingResponse(_ndjson_lines(every), media_type=NDJSON, headers=headers)
    return StreamingResponse(_csv_chunks(every, columns, query.bom, query.separator), media_type="text/csv; charset=utf-8", headers=headers)


def _every_row(request: Request, first: list[dict[str, Any]], cursor: str | None, more: MoreRows) -> Iterator[dict[str, Any]]:
    yield from first
    if cursor is None:
        return
    # why a session of its own: the body streams after the handler's session is closed
    with request.app.state.session_factory() as session, session.begin():
        while cursor is not None:
            page, rows = more(session, cursor)
            yield from rows
            cursor = page.next_cursor


def _ndjson_lines(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        yield orjson.dumps(row) + b"\n"


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """{'region': {'code': 'VE-V'}} -> {'region_code': 'VE-V'}; a null object gives no columns."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{inner}": inner_value for inner, inner_value in value.items()})
        else:
            flat[key] = value
    return flat


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return orjson.dumps(value).decode()
    return neutralize(value)


def _csv_chunks(rows: Iterable[dict[str, Any]], columns: tuple[str, ...], bom: bool, delimiter: str = ",") -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", delimiter=delimiter)
    if bom:
        buffer.write(_BOM)
    writer.writerow(columns)
    for index, row in enumerate(rows, start=1):
        flat = _flat(row)
        writer.writerow([_csv_cell(flat.get(column)) for column in columns])
        if index % _CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
