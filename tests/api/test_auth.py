"""Admin tokens guard writes: only a valid, live token passes; only its hash is stored."""

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.models import ApiToken
from app.services import tokens


def test_a_valid_token_is_accepted(client: TestClient, admin_token: str) -> None:
    response = client.get("/api/whoami", headers={"Authorization": f"Bearer {admin_token}"})
    assert (response.status_code, response.json()["name"]) == (200, "test-admin")


def test_missing_or_wrong_tokens_get_401_problems(client: TestClient, admin_token: str) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {admin_token}x"}):
        response = client.get("/api/whoami", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"] == "Bearer"


def test_revoked_and_expired_tokens_are_refused(client: TestClient, db: sessionmaker[Session]) -> None:
    with db() as session, session.begin():
        revoked, revoked_text = tokens.create(session, name="gone")
        tokens.revoke(session, revoked.id)
        _, expired_text = tokens.create(session, name="old", expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    for text in (revoked_text, expired_text):
        assert client.get("/api/whoami", headers={"Authorization": f"Bearer {text}"}).status_code == 401


def test_only_the_hash_is_stored(db: sessionmaker[Session]) -> None:
    with db() as session, session.begin():
        _, plaintext = tokens.create(session, name="ana")
    with db() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert plaintext not in stored
    assert stored == [tokens.hash_token(plaintext)]
    assert len(plaintext) >= len("firmas_") + 43  # 32 random bytes, base64url


def test_using_a_token_writes_its_last_use_at_most_once_a_minute(db: sessionmaker[Session], admin_token: str) -> None:
    """A read with a token must not take the writer lock on every request (SQLite: it queued
    behind imports)."""
    with db() as session, session.begin():
        first = tokens.authenticate(session, admin_token).last_used_at
    with db() as session, session.begin():
        token = tokens.authenticate(session, admin_token)
        assert not session.dirty and token.last_used_at == first
        token.last_used_at = first - dt.timedelta(minutes=2)
    with db() as session, session.begin():
        assert tokens.authenticate(session, admin_token).last_used_at > first
