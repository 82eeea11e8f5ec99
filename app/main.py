"""Application factory: routers, problem+json errors, and the database wiring of one settings object."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.routing import APIRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import web
from app.api import audit, export, imports, openapi, organizations, problems, reconcile, regions, review, statements, system
from app.api.guards import BodySizeLimit, PublicOrigin, RateLimit
from app.api.observe import RequestObserver
from app.api.http_cache import ConditionalGetMiddleware, CorsByPath
from app import metrics, migrate
from app.db import make_engine, make_session_factory
from app.settings import Settings

DESCRIPTION = """
Firmas is an open registry of joint statements and the civil-society organizations that sign them.

Every statement keeps its signature lines exactly as printed; printed names resolve to
organizations. Reads are public. Writes need an admin token (`Authorization: Bearer <token>`,
created with `firmas token create NAME`). Errors are RFC 9457 `application/problem+json`.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings)
    metrics.watch_pool(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        title="Firmas", version="0.1.0", description=DESCRIPTION, lifespan=lifespan, generate_unique_id_function=operation_id
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.schema_head = migrate.head_revision(settings)
    app.state.session_factory = make_session_factory(engine)
    app.state.read_limiter = anyio.CapacityLimiter(settings.read_threads)
    problems.install(app)
    for module in (system, statements, organizations, regions, review, reconcile, export, audit, imports):
        app.include_router(module.router)
    web.install(app)
    _answer_head_like_get(app)
    openapi.install(app)
    app.add_middleware(ConditionalGetMiddleware)
    app.add_middleware(CorsByPath)
    # why: the last added runs first: a flood is refused before its body is even measured, and
    # both answer before any route reads the body or opens a session.
    app.add_middleware(
        BodySizeLimit, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes
    )
    app.add_middleware(
        RateLimit,
        writes=settings.rate_limit_writes,
        reads=settings.rate_limit_reads,
        failures=settings.rate_limit_auth_failures,
        storage=settings.rate_limit_storage,
    )
    app.add_middleware(PublicOrigin, public_base_url=settings.public_base_url)
    app.add_middleware(RequestObserver)
    if settings.trusted_proxy_list:
        # why here and not in uvicorn: one setting, applied however the app is served (and in
        # tests); `firmas serve` turns uvicorn's own handling off, which trusts 127.0.0.1 by default.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    return app


def operation_id(route: APIRoute) -> str:
    """FastAPI's operation id (name, path, method), naming the GET of a route that also answers HEAD."""
    method = "get" if "GET" in route.methods else sorted(route.methods)[0].lower()
    return re.sub(r"\W", "_", f"{route.name}{route.path_format}") + f"_{method}"


def _answer_head_like_get(app: FastAPI) -> None:
    """RFC 9110 §9.1: every GET route answers HEAD too, with the GET's status and headers.

    why on the routes: a HEAD then runs the GET's handler unchanged (uvicorn drops the body), and a
    GET pays nothing for it, unlike a middleware that every request would pass through.
    """
    pending = list(app.router.routes)
    while pending:
        route = pending.pop()
        if isinstance(route, APIRoute) and "GET" in route.methods:
            route.methods.add("HEAD")
        included = getattr(route, "original_router", None)  # FastAPI wraps each included router
        if included is not None:
            pending.extend(included.routes)
