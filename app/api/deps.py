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
    """One session per request; committed when the handler returns, rolled back if it raises."""
    with request.app.state.session_factory() as session, session.begin():
        yield session


_bearer = HTTPBearer(auto_error=False, description="An admin token from `firmas token create NAME`.")

# why: scope="function" commits before the response is sent; after it (FastAPI's default for
# dependencies with yield) a client could read its 201 before the data was committed, or get a
# 201 for a commit that then failed.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def require_admin(
    session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> ApiToken:
    return tokens.authenticate(session, credentials.credentials if credentials else None)


AdminDep = Annotated[ApiToken, Depends(require_admin)]
