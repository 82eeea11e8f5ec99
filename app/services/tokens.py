"""Admin API tokens: random secrets shown once; only their SHA-256 hashes are stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFound, Unauthorized
from app.models import ApiToken, utcnow
from app.services import audit

TOKEN_PREFIX = "firmas_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(session: Session, *, name: str, expires_at: dt.datetime | None = None, actor: str = "cli") -> tuple[ApiToken, str]:
    """Create a token for `name`; returns the row and the plaintext, which is never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, token_hash=hash_token(plaintext), expires_at=expires_at)
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="token.create", subject_type="token", subject_id=token.id, details={"name": name})
    return token, plaintext


def authenticate(session: Session, presented: str | None) -> ApiToken:
    """The live token matching `presented`, or Unauthorized (missing, unknown, revoked or expired)."""
    if not presented:
        raise Unauthorized("An admin token is required: send 'Authorization: Bearer <token>'.")
    presented_hash = hash_token(presented)
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == presented_hash))
    # why: the lookup is by hash, so timing reveals nothing about the secret; compare_digest keeps
    # the final check constant-time as well.
    if token is None or not hmac.compare_digest(token.token_hash, presented_hash):
        raise Unauthorized("The token is not valid.")
    return use(token)


def use(token: ApiToken) -> ApiToken:
    """`token` if it is neither revoked nor expired (noting its use), else Unauthorized."""
    now = utcnow()
    if token.revoked_at is not None:
        raise Unauthorized("The token has been revoked.")
    if token.expires_at is not None and _aware(token.expires_at) <= now:
        raise Unauthorized("The token has expired.")
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USE_PRECISION:
        token.last_used_at = now
    return token


# why: recording each use wrote a row on every authenticated request, so on SQLite every admin
# read took the single writer lock and queued behind a running import. A minute is precise enough
# for "when was this token last used".
LAST_USE_PRECISION = dt.timedelta(minutes=1)


def list_all(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke(session: Session, token_id: int, *, actor: str = "cli") -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token with id {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor=actor, action="token.revoke", subject_type="token", subject_id=token.id)
    return token


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
