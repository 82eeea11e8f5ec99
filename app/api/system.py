"""Health, readiness, metrics and identity routes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app import metrics, migrate
from app.api.deps import AdminDep, SessionDep
from app.api.schemas import Health
from app.errors import ServiceUnavailable
from app.models import Statement

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=Health, summary="Liveness and database check")
def healthz(session: SessionDep) -> Health:
    """Answers 200 when the database can be queried."""
    count = session.scalar(select(func.count(Statement.id))) or 0
    return Health(status="ok", database=session.get_bind().dialect.name, statements=count)


class Ready(BaseModel):
    status: str = Field(examples=["ready"])
    schema_revision: str = Field(description="The migration the database is at: the one this version expects.")


@router.get(
    "/readyz",
    response_model=Ready,
    summary="Readiness: database reachable and migrated",
    responses={503: {"description": "The database does not answer, or is not at this version's schema."}},
)
def readyz(request: Request) -> Ready:
    """200 when the database answers and is migrated to the revision this code expects; 503
    otherwise (run `firmas db upgrade`), so a proxy sends no traffic to a process that would fail."""
    expected = request.app.state.schema_head
    try:
        with request.app.state.engine.connect() as connection:
            current = migrate.current_revision(connection)
    except SQLAlchemyError as exc:
        raise ServiceUnavailable(f"The database does not answer: {type(exc).__name__}.") from None
    if current != expected:
        raise ServiceUnavailable(
            f"The database is at schema {current or 'none'}, this version needs {expected}: run `firmas db upgrade`.",
            schema_revision=current,
            expected=expected,
        )
    return Ready(status="ready", schema_revision=current)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, responses={200: {"content": {metrics.MEDIA_TYPE: {
    "schema": {"type": "string"},
    "example": "# HELP firmas_http_requests_total HTTP requests answered, by route template (not the raw path) and status.\n"
               "# TYPE firmas_http_requests_total counter\n"
               'firmas_http_requests_total{method="GET",route="/api/organizations",status="200"} 42.0\n',
}}}})
def prometheus_metrics() -> Response:
    """Requests by route and status, latency histograms, imports and their rows, admin actions
    (merges, undos, decisions) and database connections, summed over every worker process, in the
    Prometheus text format. Keep it off the public internet at the proxy (docs/deploy.md)."""
    return Response(metrics.exposition(), media_type=metrics.MEDIA_TYPE)


class WhoAmI(BaseModel):
    token_id: int
    name: str = Field(description="The name the token was created for.")


@router.get("/api/whoami", response_model=WhoAmI, summary="Check an admin token")
def whoami(token: AdminDep) -> WhoAmI:
    """Which admin token the request carries; 401 when it is missing, unknown, revoked or expired."""
    return WhoAmI(token_id=token.id, name=token.name)
