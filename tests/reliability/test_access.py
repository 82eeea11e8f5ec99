"""Every route that changes data refuses anyone without a live admin token.

The routes are enumerated from the app itself (and its OpenAPI document), so a write route added
later without AdminDep fails this suite unless it is named in PUBLIC_WRITE_ROUTES.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.routing import Mount

from app.api.guards import WRITE_METHODS
from app.main import create_app
from app.models import AuditEvent
from app.services import tokens
from app.settings import Settings
from app.web.auth import COOKIE_PATH, SESSION_COOKIE

# (method, path template) of write routes that are public on purpose, each with its reason.
PUBLIC_WRITE_ROUTES: set[tuple[str, str]] = {
    ("POST", "/api/reconcile"),  # a read: OpenRefine sends its batch of queries as a POST form
    ("POST", "/admin/entrar"),  # the login form itself (double-submit CSRF)
    ("POST", "/admin/salir"),  # logging out only clears the caller's own cookie
}
# Admin pages authenticate with the session cookie (plus a CSRF value derived from it), not with
# a bearer header; they are checked by their own test below.
COOKIE_SESSION_PREFIX = "/admin/"


def _unlimited(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limit_writes": "", "rate_limit_reads": "", "rate_limit_auth_failures": ""})


def _flat(routes) -> list:
    """Routes with FastAPI's included routers opened up (FastAPI >= 0.16x nests them)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(routes)
    return list(iter_route_contexts(routes))


def write_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route, mounted sub-apps included, that accepts a write method."""
    found = set()

    def walk(routes, prefix: str) -> None:
        for route in _flat(routes):
            if isinstance(getattr(route, "original_route", route), Mount):
                walk(route.routes or [], prefix + route.path)
            else:
                for method in (getattr(route, "methods", None) or set()) & WRITE_METHODS:
                    found.add((method, prefix + route.path))

    walk(app.routes, "")
    return sorted(found)


def concrete(path: str) -> str:
    """/api/merges/{merge_id}/undo -> /api/merges/1/undo (an id that exists in the seeded data)."""
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def guarded_client(settings: Settings, seeded: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(_unlimited(settings))) as client:
        yield client


@pytest.fixture
def refused_tokens(seeded: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    """Authorization headers that must all be refused, by why."""
    with seeded() as session, session.begin():
        revoked, revoked_text = tokens.create(session, name="revoked")
        tokens.revoke(session, revoked.id)
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        _, expired_text = tokens.create(session, name="expired", expires_at=past)
        _, live_text = tokens.create(session, name="live")
    return {
        "missing": {},
        "wrong": {"Authorization": "Bearer firmas_" + "A" * 43},
        "tampered": {"Authorization": f"Bearer {live_text[:-1]}{'B' if live_text[-1] != 'B' else 'C'}"},
        "not bearer": {"Authorization": f"Basic {live_text}"},
        "revoked": {"Authorization": f"Bearer {revoked_text}"},
        "expired": {"Authorization": f"Bearer {expired_text}"},
    }


def test_the_app_has_write_routes_to_check() -> None:
    routes = write_routes(create_app(Settings(database_url="sqlite://")))
    assert ("POST", "/api/organizations/{id_or_slug}/merge") in routes
    assert ("PATCH", "/api/organizations/{id_or_slug}") in routes


def test_every_write_route_refuses_missing_wrong_revoked_and_expired_tokens(
    guarded_client: TestClient, refused_tokens: dict[str, dict[str, str]]
) -> None:
    accepted = []
    for method, path in write_routes(guarded_client.app):
        if (method, path) in PUBLIC_WRITE_ROUTES or path.startswith(COOKIE_SESSION_PREFIX):
            continue
        for why, headers in refused_tokens.items():
            response = guarded_client.request(method, concrete(path), headers=headers, json={})
            if response.status_code != 401 or response.headers["content-type"] != "application/problem+json":
                accepted.append((method, path, why, response.status_code))
    assert accepted == []


def test_every_admin_page_write_refuses_a_caller_without_a_live_session_cookie(
    guarded_client: TestClient, refused_tokens: dict[str, dict[str, str]]
) -> None:
    """Bearer headers mean nothing to the pages; a forged or dead cookie with the CSRF value that
    matches it is refused too, so only a live admin token in the cookie gets through."""
    accepted = []
    for method, path in write_routes(guarded_client.app):
        if (method, path) in PUBLIC_WRITE_ROUTES or not path.startswith(COOKIE_SESSION_PREFIX):
            continue
        for why, headers in refused_tokens.items():
            if why == "not bearer":
                continue  # it carries the live token, which is a valid cookie
            cookie = headers.get("Authorization", "").removeprefix("Bearer ").removeprefix("Basic ")
            guarded_client.cookies.clear()
            if cookie:
                guarded_client.cookies.set(SESSION_COOKIE, cookie, path=COOKIE_PATH)
            form = {"csrf": hmac.new(cookie.encode(), b"firmas-csrf", hashlib.sha256).hexdigest()}
            response = guarded_client.request(method, concrete(path), headers=headers, data=form, follow_redirects=False)
            if response.status_code not in (401, 403) and not _to_login(response):
                accepted.append((method, path, why, response.status_code))
    guarded_client.cookies.clear()
    assert accepted == []


def _to_login(response) -> bool:
    return response.status_code in (302, 303) and "/admin/entrar" in response.headers.get("location", "")


def _route_missed(response) -> bool:
    """405, or a 404 that is not a domain NotFound (a domain 404, "no merge 1", means the route ran;
    Starlette's bare "Not Found" means no route matched)."""
    if response.status_code != 404:
        return response.status_code == 405
    is_problem = response.headers.get("content-type", "").startswith("application/problem+json")
    return not is_problem or response.json().get("detail") == "Not Found"


def test_a_live_token_gets_past_the_guard_of_every_write_route(
    guarded_client: TestClient, admin_token: str, seeded: sessionmaker[Session]
) -> None:
    """The control for the test above: the same requests with a live token are not refused, so
    the 401s come from the token check and not from a path that does not match."""
    refused = {}
    for method, path in write_routes(guarded_client.app):
        if path.startswith(COOKIE_SESSION_PREFIX):
            continue  # the admin pages' own tests log in and use every form
        response = guarded_client.request(
            method, concrete(path), headers={"Authorization": f"Bearer {admin_token}"}, json={}
        )
        if response.status_code == 401 or _route_missed(response):
            refused[(method, path)] = response.status_code
    assert refused == {}


def test_every_write_operation_in_the_openapi_document_declares_the_bearer_scheme(guarded_client: TestClient) -> None:
    document = guarded_client.get("/openapi.json").json()
    unprotected = [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method.upper() in WRITE_METHODS
        and (method.upper(), path) not in PUBLIC_WRITE_ROUTES
        and not any("HTTPBearer" in requirement for requirement in operation.get("security", []))
    ]
    assert unprotected == []


def test_public_write_routes_allow_list_names_only_existing_routes(guarded_client: TestClient) -> None:
    assert PUBLIC_WRITE_ROUTES <= set(write_routes(guarded_client.app))


# --- tokens ---------------------------------------------------------------------------------------


def test_tokens_carry_32_random_bytes_and_never_repeat(db: sessionmaker[Session]) -> None:
    with db() as session, session.begin():
        created = [tokens.create(session, name=f"t{index}")[1] for index in range(20)]
    secrets_ = [text.removeprefix(tokens.TOKEN_PREFIX) for text in created]
    assert all(len(base64.urlsafe_b64decode(secret + "=")) == 32 for secret in secrets_)
    assert len(set(secrets_)) == len(secrets_)


# --- audit trail ----------------------------------------------------------------------------------


def test_the_audit_trail_has_no_route_that_writes(guarded_client: TestClient) -> None:
    assert [route for route in write_routes(guarded_client.app) if "audit" in route[1]] == []
    audit_paths = [path for path in guarded_client.get("/openapi.json").json()["paths"] if "audit" in path]
    assert audit_paths == ["/api/audit"]


def test_admins_read_the_audit_trail_of_an_api_merge(
    guarded_client: TestClient, admin_token: str, seeded: sessionmaker[Session]
) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    organizations = guarded_client.get("/api/organizations", params={"limit": 2}).json()["items"]
    merged, survivor = organizations[0]["id"], organizations[1]["id"]
    assert guarded_client.post(f"/api/organizations/{merged}/merge", json={"into": survivor}, headers=auth).status_code == 201

    trail = guarded_client.get("/api/audit", headers=auth)

    assert trail.status_code == 200
    newest = trail.json()["items"][0]
    assert (newest["actor"], newest["action"], newest["details"]["merged"]) == ("test-admin", "organization.merge", merged)
    with seeded() as session:
        assert session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == newest["action"]


def test_the_audit_trail_is_for_admins_only(guarded_client: TestClient) -> None:
    assert guarded_client.get("/api/audit").status_code == 401


def test_the_audit_trail_refuses_edits(guarded_client: TestClient, admin_token: str) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for path in ("/api/audit", "/api/audit/1"):
            assert guarded_client.request(method, path, headers=auth, json={}).status_code in (404, 405)

