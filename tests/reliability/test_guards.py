"""Rate limits and body-size limits answer with problem+json before any route runs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.api.guards import BodySizeLimit
from app.main import create_app
from app.models import Organization
from app.settings import Settings


def client_with(settings: Settings, **changes) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes)))


@pytest.fixture
def strict_client(settings: Settings, seeded: sessionmaker[Session]) -> Iterator[TestClient]:
    with client_with(settings, rate_limit_writes="2/minute", rate_limit_reads="3/minute", rate_limit_auth_failures="2/minute") as client:
        yield client


def _is_429_problem(response) -> bool:
    return (
        response.status_code == 429
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["type"] == "/problems/too-many-requests"
        and 1 <= int(response.headers["retry-after"]) <= 60
    )


# --- rate limits ----------------------------------------------------------------------------------


def test_writes_over_the_limit_get_429_with_retry_after(strict_client: TestClient, admin_token: str) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    first, second, third = (strict_client.post("/api/review/refresh", headers=auth) for _ in range(3))
    assert (first.status_code, second.status_code) == (200, 200)
    assert _is_429_problem(third)


def test_failed_authentications_have_their_own_budget(strict_client: TestClient, admin_token: str) -> None:
    """Past the failure budget a guess gets 429; the guesses cost no write, so the same client's
    legitimate writes still go through (and a valid token is never refused for the guesses)."""
    guesses = [strict_client.post("/api/review/refresh", headers={"Authorization": "Bearer guess"}) for _ in range(4)]
    assert [guess.status_code for guess in guesses[:2]] == [401, 401]
    assert all(_is_429_problem(guess) for guess in guesses[2:])
    auth = {"Authorization": f"Bearer {admin_token}"}
    assert [strict_client.post("/api/review/refresh", headers=auth).status_code for _ in range(3)] == [200, 200, 429]


def test_failed_admin_cookies_on_gets_are_limited_too(strict_client: TestClient) -> None:
    strict_client.cookies.set("firmas_admin", "guess", path="/admin")
    answers = [strict_client.get("/admin/revision", follow_redirects=False) for _ in range(3)]
    assert [answer.status_code for answer in answers[:2]] == [303, 303]
    assert _is_429_problem(answers[2])


def test_failed_logins_count_as_failed_authentications(strict_client: TestClient) -> None:
    def attempt() -> int:
        form = strict_client.get("/admin/entrar")
        csrf = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        return strict_client.post("/admin/entrar", data={"token": "guess", "csrf": csrf}).status_code

    assert [attempt() for _ in range(3)] == [401, 401, 429]


def test_reads_have_their_own_limit(strict_client: TestClient, admin_token: str) -> None:
    reads = [strict_client.get("/api/organizations", params={"q": "derechos"}) for _ in range(4)]
    assert [r.status_code for r in reads[:3]] == [200, 200, 200]
    assert _is_429_problem(reads[3])
    # Writes and the health check are counted apart.
    assert strict_client.post("/api/review/refresh", headers={"Authorization": f"Bearer {admin_token}"}).status_code == 200
    assert strict_client.get("/healthz").status_code == 200


def test_an_empty_limit_means_no_limit(settings: Settings, seeded: sessionmaker[Session]) -> None:
    with client_with(settings, rate_limit_reads="", rate_limit_writes="") as client:
        assert {client.get("/api/statements").status_code for _ in range(30)} == {200}


def test_a_limit_the_limiter_cannot_read_is_refused_at_start(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="rate limit"):
        settings.model_validate({"database_url": settings.database_url, "rate_limit_writes": "lots"})


# --- body size --------------------------------------------------------------------------------------


@pytest.fixture
def small_body_client(settings: Settings, seeded: sessionmaker[Session]) -> Iterator[TestClient]:
    with client_with(settings, max_body_bytes=1000, max_upload_bytes=10_000, rate_limit_writes="") as client:
        yield client


def _first_organization(session_factory: sessionmaker[Session]) -> tuple[int, str]:
    with session_factory() as session:
        organization = session.scalars(select(Organization).order_by(Organization.id)).first()
        return organization.id, organization.name


def test_a_json_body_over_the_limit_is_refused_and_changes_nothing(
    small_body_client: TestClient, admin_token: str, seeded: sessionmaker[Session]
) -> None:
    organization_id, name = _first_organization(seeded)
    response = small_body_client.patch(
        f"/api/organizations/{organization_id}", json={"name": "x" * 2000}, headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert (response.status_code, response.headers["content-type"]) == (413, "application/problem+json")
    assert response.json()["type"] == "/problems/payload-too-large"
    assert _first_organization(seeded) == (organization_id, name)


def test_a_streamed_body_without_length_is_refused_too(small_body_client: TestClient, admin_token: str) -> None:
    chunks = (b'{"name": "' + b"x" * 500 for _ in range(4))
    response = small_body_client.patch(
        "/api/organizations/1",
        content=chunks,
        headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"},
    )
    assert "content-length" not in response.request.headers
    assert (response.status_code, response.headers["content-type"]) == (413, "application/problem+json")


def test_multipart_uploads_get_the_upload_limit(small_body_client: TestClient) -> None:
    under = small_body_client.post("/api/review/refresh", files={"file": ("a.csv", b"x" * 5000)})
    over = small_body_client.post("/api/review/refresh", files={"file": ("a.csv", b"x" * 20_000)})
    assert (under.status_code, over.status_code) == (401, 413)


@pytest.mark.parametrize("content_type", ["text/csv; charset=utf-8", "application/octet-stream"])
def test_files_sent_as_the_body_get_the_upload_limit(small_body_client: TestClient, content_type: str) -> None:
    under = small_body_client.post("/api/review/refresh", content=b"x" * 5000, headers={"Content-Type": content_type})
    over = small_body_client.post("/api/review/refresh", content=b"x" * 20_000, headers={"Content-Type": content_type})
    assert (under.status_code, over.status_code) == (401, 413)


@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json", "application/x-www-form-urlencoded", None])
def test_json_and_form_bodies_get_the_small_limit(small_body_client: TestClient, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert small_body_client.post("/api/review/refresh", content=b"x" * 5000, headers=headers).status_code == 413


def test_the_guard_stops_reading_a_stream_once_past_the_limit() -> None:
    """Driven as ASGI directly: of a 100-chunk body, only the chunks up to the limit are pulled."""
    pulled = 0

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 100, "more_body": pulled < 100}

    async def app(scope, receive, send):  # reads the whole body, as a JSON route would
        while (await receive()).get("more_body"):
            pass

    sent = []

    async def send(message):
        sent.append(message)

    guard = BodySizeLimit(app, max_body_bytes=250, max_upload_bytes=250)
    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [(b"content-type", b"application/json")]}
    asyncio.run(guard(scope, receive, send))
    assert pulled == 3
    assert sent[0]["status"] == 413


def test_a_shared_store_that_does_not_answer_lets_requests_through_and_says_so(
    settings: Settings, seeded: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """An outage of the limiter's Redis must not become an outage of the registry."""
    pytest.importorskip("redis")
    with client_with(settings, rate_limit_storage="redis://127.0.0.1:1/0", rate_limit_reads="1/minute") as client:
        assert [client.get("/api/statements").status_code for _ in range(3)] == [200, 200, 200]
    assert "rate-limit storage unavailable" in caplog.text


def test_a_storage_the_limiter_does_not_know_is_refused_at_start(settings: Settings) -> None:
    with pytest.raises(ValidationError, match="rate-limit storage"):
        settings.model_validate({"database_url": settings.database_url, "rate_limit_storage": "postgres://x"})
