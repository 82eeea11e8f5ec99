"""Health and identity routes."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from app.api.deps import AdminDep, SessionDep
from app.api.schemas import Health
from app.models import Statement

router = APIRouter(tags=["system"])


@router.get("/healthz", response_model=Health, summary="Liveness and database check")
def healthz(session: SessionDep) -> Health:
    """Answers 200 when the database can be queried."""
    count = session.scalar(select(func.count(Statement.id))) or 0
    return Health(status="ok", database=session.get_bind().dialect.name, statements=count)


class WhoAmI(BaseModel):
    token_id: int
    name: str = Field(description="The name the token was created for.")


@router.get("/api/whoami", response_model=WhoAmI, summary="Check an admin token")
def whoami(token: AdminDep) -> WhoAmI:
    """Which admin token the request carries; 401 when it is missing, unknown, revoked or expired."""
    return WhoAmI(token_id=token.id, name=token.name)
