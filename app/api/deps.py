"""Request dependencies: a session per request and the admin check, as readable Annotated aliases."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import anyio

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from app.api.guards import authentication_failed
from app.errors import Unauthorized
from app.models import ApiToken
from app.services import tokens
from app.settings import Settings

T = TypeVar("T")


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def in_read_thread(request: Request, work: Callable[..., T], *args: Any) -> T:
    """Run a read's database work in a worker thread, at most `settings.read_threads` at a time.

    why: reads are short and CPU-bound (Python and SQLite share the process's GIL); more threads
    than this only add GIL hand-offs that inflate tail latency. Other processes serve the rest.
    """
    return await anyio.to_thread.run_sync(functools.partial(work, *args), limiter=request.app.state.read_limiter)


@contextmanager
def read_session(request: Request) -> Iterator[Session]:
    """A session for a handler that runs its database work in one worker thread (see api.queries)."""
    with request.app.state.session_factory() as session, session.begin():
        yield session


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; committed when the handler returns, rolled back if it raises.

    why scope="function" (below): FastAPI's default runs this exit after the response is sent, so
    a client told 201 could read, on any process, what was not committed yet (or a failed commit
    would follow a success). The commit now happens before the answer leaves.
    """
    with request.app.state.session_factory() as session, session.begin():
        yield session


_bearer = HTTPBearer(auto_error=False, description="An admin token from `firmas token create NAME`.")

SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def require_admin(
    request: Request, session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiToken:
    """The live token of `Authorization: Bearer`; a token presented and refused counts against
    the client's failed-authentication budget (api.guards.RateLimit)."""
    try:
        return tokens.authenticate(session, credentials.credentials if credentials else None)
    except Unauthorized:
        if credentials:
            authentication_failed(request)
        raise


AdminDep = Annotated[ApiToken, Depends(require_admin)]
