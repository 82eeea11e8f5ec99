"""Application factory: routers, problem+json errors, and the database wiring of one settings object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import web
from app.api import audit, export, imports, organizations, problems, reconcile, regions, review, statements, system
from app.api.guards import BodySizeLimit, PublicOrigin, RateLimit
from app.api.observe import RequestObserver
from app.api.http_cache import ConditionalGetMiddleware
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

    app = FastAPI(title="Firmas", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.schema_head = migrate.head_revision(settings)
    app.state.session_factory = make_session_factory(engine)
    app.state.read_limiter = anyio.CapacityLimiter(settings.read_threads)
    problems.install(app)
    for module in (system, statements, organizations, regions, review, reconcile, export, audit, imports):
        app.include_router(module.router)
    web.install(app)
    app.add_middleware(ConditionalGetMiddleware)
    # why: reads are public, so any page may call them from a browser; writes stay same-origin.
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD"], expose_headers=["Link", "ETag", "X-Total-Count"]
    )
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
