"""Application factory: routers, problem+json errors, and the database wiring of one settings object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import imports, organizations, problems, review, statements, system
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

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="Firmas", version="0.1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    problems.install(app)
    app.add_middleware(imports.UploadLimit, max_bytes=settings.max_upload_bytes)
    for module in (system, statements, organizations, review, imports):
        app.include_router(module.router)
    return app
