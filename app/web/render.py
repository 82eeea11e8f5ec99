"""Rendering pages: one Jinja2 environment (autoescaped) and the per-request language and links."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from app.services.exports import write_csv
from app.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# why: autoescape=True escapes every value in every template, so printed names such as
# "<script>…" always show as text; StrictUndefined turns a typo in a template into an error.
environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)


def path_for(request: Request, name: str, query: dict[str, Any] | None = None, **path_params: Any) -> str:
    """A site-relative link to route `name`, with the non-empty `query` values."""
    path = request.app.url_path_for(name, **{key: str(value) for key, value in path_params.items()})
    kept = {key: value for key, value in (query or {}).items() if value not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else str(path)


@dataclass
class PageContext:
    """What every page needs: the request, its language and the helpers templates call."""

    request: Request
    lang: str

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = environment.get_template(template).render(**self.globals(), **context)
        response = HTMLResponse(html, status_code=status_code)
        self.remember_language(response)
        return response

    def t(self, key: str, **values: Any) -> str:
        return i18n.translate(self.lang, key, **values)

    def globals(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "_": partial(i18n.translate, self.lang),
            "date": partial(i18n.date_at_precision, self.lang),
            "moment": partial(i18n.moment, self.lang),
            "num": partial(i18n.number, self.lang),
            "language_name": partial(i18n.language_name, self.lang),
            "country_name": partial(i18n.country_name, self.lang),
            "url": partial(path_for, self.request),
            "switch_to": self.switch_link,
            "current_path": self.request.url.path,
        }

    def switch_link(self, language: str) -> str:
        """This page in `language`: the same URL with ?lang= replaced."""
        query = [(key, value) for key, value in self.request.query_params.multi_items() if key != "lang"]
        return f"{self.request.url.path}?{urlencode([*query, ('lang', language)])}"

    def remember_language(self, response: Response) -> None:
        response.headers["Content-Language"] = self.lang
        response.headers["Vary"] = "Accept-Language, Cookie"
        if self.request.query_params.get("lang") in i18n.LANGUAGES:
            response.set_cookie(
                i18n.COOKIE, self.lang, max_age=365 * 24 * 3600, samesite="lax", secure=self.request.url.scheme == "https"
            )


def page_context(request: Request) -> PageContext:
    lang = i18n.choose(
        request.query_params.get("lang"), request.cookies.get(i18n.COOKIE), request.headers.get("accept-language")
    )
    return PageContext(request=request, lang=lang)


PageDep = Annotated[PageContext, Depends(page_context)]


def csv_response(
    filename: str, columns: list[str], rows: Iterable[dict[str, Any]], *, bom: bool = False, delimiter: str = ","
) -> Response:
    """A CSV download; cells a spreadsheet would run as formulas are neutralized. `bom` starts it
    with a UTF-8 byte order mark (Excel then shows accents right); `delimiter` ";" suits Excel in a
    Spanish locale."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    write_csv(buffer, columns, rows, delimiter=delimiter)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


CSV_LINK = {"bom": "1"}  # what the pages' download links add: Excel, the usual reader, needs the BOM


@dataclass(frozen=True)
class CsvFormat:
    """`?bom=1` and `?delimiter=;` (or `tab`) of a page's CSV download."""

    bom: bool
    delimiter: str

    def response(self, filename: str, columns: list[str], rows: Iterable[dict[str, Any]]) -> Response:
        return csv_response(filename, columns, rows, bom=self.bom, delimiter=self.delimiter)


def csv_format(
    bom: bool = Query(False, description="Start with a UTF-8 byte order mark."),
    delimiter: str = Query(",", pattern="^(,|;|tab)$", description="`,`, `;` or `tab`."),
) -> CsvFormat:
    return CsvFormat(bom=bom, delimiter="\t" if delimiter == "tab" else delimiter)


CsvFormatDep = Annotated[CsvFormat, Depends(csv_format)]