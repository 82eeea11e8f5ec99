"""The admin pages' session is an opaque id kept server-side (hash only), never the API token:
it ends at logout and when its token is revoked, and is Secure when the site is https."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.models import AdminSession
from app.services import tokens
from app.settings import Settings
from tests.web.test_admin_pages import log_in


def session_cookie(client: TestClient) -> str:
    return client.cookies.get("firmas_admin", path="/admin")


def test_the_cookie_is_an_opaque_session_id_stored_only_as_a_hash(seeded_client: TestClient, seeded, admin_token: str) -> None:
    log_in(seeded_client, admin_token)
    cookie = session_cookie(seeded_client)
    assert cookie and admin_token not in cookie and cookie not in admin_token
    with seeded() as session:
        (stored,) = session.scalars(select(AdminSession)).all()
    assert stored.session_hash == tokens.hash_token(cookie)
    assert cookie not in stored.session_hash


def test_a_copied_cookie_stops_working_at_logout(settings: Settings, seeded_client: TestClient, seeded, admin_token: str) -> None:
    csrf = log_in(seeded_client, admin_token)
    copied = session_cookie(seeded_client)
    with TestClient(create_app(settings)) as thief:
        thief.cookies.set("firmas_admin", copied, path="/admin")
        assert thief.get("/admin/fusiones", follow_redirects=False).status_code == 200
        assert seeded_client.post("/admin/salir", data={"csrf": csrf}, follow_redirects=False).status_code == 303
        assert thief.get("/admin/fusiones", follow_redirects=False).status_code == 303  # to the login form
    with seeded() as session:
        assert session.scalars(select(AdminSession)).all() == []


def test_revoking_the_token_ends_its_sessions(seeded_client: TestClient, seeded, admin_token: str) -> None:
    log_in(seeded_client, admin_token)
    assert seeded_client.get("/admin/fusiones", follow_redirects=False).status_code == 200
    with seeded() as session, session.begin():
        token = session.scalar(select(tokens.ApiToken))
        tokens.revoke(session, token.id)
    assert seeded_client.get("/admin/fusiones", follow_redirects=False).status_code == 303


def test_the_cookie_is_secure_when_the_site_is_served_over_https(settings: Settings, seeded, admin_token: str) -> None:
    """Behind a proxy that ends TLS the request arrives as http; PUBLIC_BASE_URL says what the site is."""
    https_site = settings.model_copy(update={"public_base_url": "https://firmas.example.org"})
    with TestClient(create_app(https_site), base_url="http://127.0.0.1") as client:
        form = client.get("/admin/entrar")
        login_cookie = form.headers["set-cookie"]
        csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
        # The test client, speaking http, keeps a Secure cookie to itself: hand it back by hand.
        client.cookies.set("firmas_login_csrf", csrf, path="/admin")
        response = client.post("/admin/entrar", data={"token": admin_token, "csrf": csrf}, follow_redirects=False)
    session_header = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("firmas_admin="))
    assert "secure" in {part.strip().lower() for part in session_header.split(";")}
    assert "secure" in {part.strip().lower() for part in login_cookie.split(";")}
