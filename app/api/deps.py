"""Request dependencies: a session per request and the admin check, as readable Annotated aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.models import ApiToken
from app.services import tokens
from app.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; committed when the handler returns, rolled back if it raises."""
    with request.app.state.session_factory() as session, session.begin():
        yield session


_bearer = HTTPBearer(auto_error=False, description="An admin token from `firmas token create NAME`.")

SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def require_admin(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiToken:
    return tokens.authenticate(session, credentials.credentials if credentials else None)


AdminDep = Annotated[ApiToken, Depends(require_admin)]
