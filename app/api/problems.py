"""RFC 9457 problem+json for every error the API returns, including FastAPI's own validation errors."""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import FirmasError, NotFound
from app.web.i18n import choose

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TITLES = {401: "Unauthorized", 404: "Not found", 405: "Method not allowed", 413: "Payload too large", 422: "Invalid input"}

# Every problem type the service sends: its page at /problems/{slug} (RFC 9457 §3.1.1: a type URI
# should lead to its documentation), in English and Spanish. Any other status is `about:blank`.
PROBLEM_TYPES: dict[str, dict[str, tuple[str, str]]] = {
    "bad-request": {
        "en": ("Bad request", "The request could not be understood; `detail` says why."),
        "es": ("Solicitud incorrecta", "No se pudo entender la solicitud; `detail` dice por qué."),
    },
    "not-found": {
        "en": ("Not found", "Nothing has that id, slug or address. `parameter` names the part of the request that "
               "named it. A merged organization is not a 404: its old id answers 308 to the survivor."),
        "es": ("No encontrado", "Nada tiene ese id, slug o dirección. `parameter` nombra la parte de la solicitud "
               "que lo nombraba. Una organización fusionada no es un 404: su id antiguo responde 308 hacia la que quedó."),
    },
    "invalid-input": {
        "en": ("Invalid input", "A query parameter, form field or body value is unknown or has a bad value. "
               "`parameter` (or `field`) names it and `detail` says what is wrong; an identifier that denotes "
               "several organizations lists them in `candidates`."),
        "es": ("Entrada no válida", "Un parámetro, campo de formulario o valor del cuerpo es desconocido o tiene un "
               "valor incorrecto. `parameter` (o `field`) lo nombra y `detail` dice qué falla; un identificador que "
               "designa a varias organizaciones las lista en `candidates`."),
    },
    "invalid-rows": {
        "en": ("Rows at fault", "An import file has rows that cannot be loaded; nothing was imported. `line` and "
               "`field` locate the first, `errors` lists them and `report` is the full import report."),
        "es": ("Filas con errores", "Un archivo de importación tiene filas que no se pueden cargar; no se importó nada. "
               "`line` y `field` ubican la primera, `errors` las lista y `report` es el informe completo."),
    },
    "conflict": {
        "en": ("Conflict", "The change contradicts the registry's state (for instance, undoing a merge twice)."),
        "es": ("Conflicto", "El cambio contradice el estado del registro (por ejemplo, deshacer dos veces una fusión)."),
    },
    "unauthorized": {
        "en": ("Unauthorized", "This operation needs an admin token: `Authorization: Bearer <token>` "
               "(created with `firmas token create NAME`). The token was missing, unknown, revoked or expired."),
        "es": ("No autorizado", "Esta operación requiere un token de administración: `Authorization: Bearer <token>` "
               "(creado con `firmas token create NOMBRE`). Faltaba, es desconocido, fue revocado o venció."),
    },
    "forbidden": {
        "en": ("Forbidden", "The request is understood but not allowed."),
        "es": ("Prohibido", "La solicitud se entiende pero no está permitida."),
    },
    "payload-too-large": {
        "en": ("Payload too large", "The request body is larger than the server accepts (`limit`, in bytes): "
               "MAX_BODY_BYTES for JSON and forms, MAX_UPLOAD_BYTES for files."),
        "es": ("Cuerpo demasiado grande", "El cuerpo de la solicitud supera lo que el servidor acepta (`limit`, en "
               "bytes): MAX_BODY_BYTES para JSON y formularios, MAX_UPLOAD_BYTES para archivos."),
    },
    "too-many-requests": {
        "en": ("Too many requests", "This address sent more requests than the rate limit allows; retry after "
               "the seconds in `Retry-After`."),
        "es": ("Demasiadas solicitudes", "Esta dirección envió más solicitudes de las que permite el límite; "
               "reintente tras los segundos de `Retry-After`."),
    },
    "method-not-allowed": {
        "en": ("Method not allowed", "The address exists but not with this HTTP method; `Allow` lists the ones it takes."),
        "es": ("Método no permitido", "La dirección existe pero no con este método HTTP; `Allow` lista los que acepta."),
    },
}


def problem_type(type_slug: str) -> str:
    """The `type` member: this service's page for a known problem type, else `about:blank`."""
    return f"/problems/{type_slug}" if type_slug in PROBLEM_TYPES else "about:blank"


def problem_response(
    status: int, title: str, detail: str, *, type_slug: str, instance: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"type": problem_type(type_slug), "title": title, "status": status, "detail": detail}
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


router = APIRouter(include_in_schema=False)


@router.get("/problems/{slug}", response_class=HTMLResponse)
def problem_page(request: Request, slug: str) -> HTMLResponse:
    """The documentation a problem's `type` leads to, in Spanish or English (?lang=, cookie, Accept-Language)."""
    texts = PROBLEM_TYPES.get(slug)
    if texts is None:
        raise NotFound(f"No problem type '{slug}'.", parameter="slug")
    language = choose(request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language"))
    title, text = (html.escape(part) for part in texts[language])
    other = "en" if language == "es" else "es"
    return HTMLResponse(
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><p>{text}</p>"
        f"<p><code>type: /problems/{html.escape(slug)}</code> · RFC 9457 problem details "
        f'(<code>type, title, status, detail, instance</code>) · <a href="?lang={other}">{other}</a></p></body></html>',
        headers={"Content-Language": language, "Vary": "Accept-Language, Cookie"},
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(FirmasError, _firmas_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.include_router(router)
