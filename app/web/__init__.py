"""Server-rendered pages (Jinja2) over the same services as the API: public pages, admin pages,
Spanish and English, local static files, and HTML error pages outside /api."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import FirmasError
from app.web import admin, pages
from app.web.auth import LoginRequired
from app.web.render import STATIC, page_context, path_for

# Paths that keep the API's problem+json errors.
API_PREFIXES = ("/api", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES)


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    return page_context(request).render("error.html", status_code=status, error_status=status, title=title, detail=detail)


def _status_and_text(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, FirmasError):
        return exc.status, exc.title, exc.detail
    if isinstance(exc, RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:])
        return 422, "Invalid input", f"{where}: {first.get('msg', 'invalid')}" if where else "Invalid input"
    assert isinstance(exc, StarletteHTTPException)
    return exc.status_code, str(exc.detail), str(exc.detail)


def _html_or(api_handler: Callable[..., Any]) -> Callable[..., Any]:
    """Pages get an HTML error page (or the login form); the API keeps its own handler."""

    async def handle(request: Request, exc: Exception) -> Response:
        if not is_page(request):
            return await api_handler(request, exc)
        if isinstance(exc, LoginRequired):
            back = request.url.path if request.method == "GET" else None
            return RedirectResponse(path_for(request, "admin_login", {"next": back}), status_code=303)
        status, title, detail = _status_and_text(exc)
        return error_page(request, status, title, detail)

    return handle


def install(app: FastAPI) -> None:
    """Mount the pages and static files; call after the API's problem handlers are installed."""
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for exception in (FirmasError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(exception, _html_or(app.exception_handlers[exception]))
