"""Server-side sessions of the admin pages: the browser holds a random id, the database its hash.

Every process reads the same rows, so a login on one is valid on all; logging out deletes the
row, and a revoked or expired token ends its sessions, so a copied cookie stops working.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.errors import Unauthorized
from app.models import AdminSession, ApiToken, utcnow
from app.services import tokens

# why: the cookie lasts the browser session, but a browser kept open for days should not keep an
# admin logged in; twelve hours covers a working day.
LIFETIME = dt.timedelta(hours=12)


def open_session(session: Session, token: ApiToken) -> str:
    """A new session for a token just authenticated; returns the cookie value (never stored)."""
    now = utcnow()
    session.execute(delete(AdminSession).where(AdminSession.expires_at <= now))
    value = secrets.token_urlsafe(32)
    session.add(AdminSession(session_hash=tokens.hash_token(value), token_id=token.id, created_at=now, expires_at=now + LIFETIME))
    session.flush()
    return value


def authenticate(session: Session, presented: str | None) -> ApiToken:
    """The token of a live session, or Unauthorized (none, logged out, expired, token revoked)."""
    if not presented:
        raise Unauthorized("Log in with an admin token.")
    row = session.execute(
        select(AdminSession, ApiToken)
        .join(ApiToken, ApiToken.id == AdminSession.token_id)
        .where(AdminSession.session_hash == tokens.hash_token(presented), AdminSession.expires_at > utcnow())
    ).first()
    if row is None:
        raise Unauthorized("The session has ended or expired; log in again.")
    return tokens.use(row.ApiToken)


def close(session: Session, presented: str | None) -> None:
    """Log out: the session is deleted, so the same cookie is refused everywhere from now on."""
    if presented:
        session.execute(delete(AdminSession).where(AdminSession.session_hash == tokens.hash_token(presented)))
