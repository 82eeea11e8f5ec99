"""RFC 9457 problem+json for every error the API returns, including FastAPI's own validation errors."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import FirmasError

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TITLES = {401: "Unauthorized", 404: "Not found", 405: "Method not allowed", 413: "Payload too large", 422: "Invalid input"}


def problem_response(
    status: int, title: str, detail: str, *, type_slug: str, instance: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": f"/problems/{type_slug}", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _firmas_error(request: Request, exc: FirmasError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return problem_response(
        exc.status, exc.title, exc.detail, type_slug=exc.type_slug, instance=request.url.path, headers=headers, **exc.extra
    )


def _location(loc: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """('query', 'limit') -> ('query', 'limit'); ('body', 'into') -> ('body', 'into')."""
    where = str(loc[0]) if loc else None
    name = ".".join(str(part) for part in loc[1:]) or None
    return where, name


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for error in exc.errors():
        where, name = _location(tuple(error.get("loc", ())))
        errors.append({"in": where, "name": name, "reason": error.get("msg", "invalid")})
    first = errors[0] if errors else {"name": None, "reason": "invalid request"}
    detail = f"{first['name']}: {first['reason']}" if first["name"] else first["reason"]
    return problem_response(
        422, "Invalid input", detail, type_slug="invalid-input", instance=request.url.path,
        parameter=first["name"], errors=errors,
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    title = _TITLES.get(exc.status_code, "Error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem_response(
        exc.status_code, title, detail, type_slug=title.lower().replace(" ", "-"), instance=request.url.path,
        headers=getattr(exc, "headers", None),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(FirmasError, _firmas_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
