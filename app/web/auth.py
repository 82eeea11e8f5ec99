"""Admin sessions for the pages: an opaque session id (services.admin_sessions) in an HttpOnly,
SameSite=Strict cookie, Secure when the site is served over https, and CSRF tokens on every form.

Forms of a logged-in admin carry an HMAC of the session id: only a page rendered for that session
can know it, and every process computes the same one. The login form, before there is a
session, uses a double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from sqlalchemy.orm import Session

from app.api.guards import authentication_failed
from app.errors import Forbidden, Unauthorized
from app.models import ApiToken
from app.services import admin_sessions

SESSION_COOKIE = "firmas_admin"
LOGIN_CSRF_COOKIE = "firmas_login_csrf"
COOKIE_PATH = "/admin"


class LoginRequired(Unauthorized):
    """An admin page was asked for without a valid session; pages answer with the login form."""


def secure_cookies(request: Request) -> bool:
    """Secure whenever the site is served over https: PUBLIC_BASE_URL says so, or this request
    came over https (directly, or through a trusted proxy's X-Forwarded-Proto)."""
    return request.app.state.settings.https or request.url.scheme == "https"


def log_in(session: Session, request: Request, response: Response, token: ApiToken) -> None:
    # why: no max-age, so the cookie ends with the browser session; the server-side session ends
    # at logout, at its lifetime, or when its token is revoked.
    value = admin_sessions.open_session(session, token)
    response.set_cookie(
        SESSION_COOKIE, value, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure_cookies(request)
    )


def log_out(session: Session, request: Request, response: Response) -> None:
    admin_sessions.close(session, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(
        SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure_cookies(request)
    )


def current_admin(session: Session, request: Request) -> ApiToken:
    """The token of the session cookie's live session; LoginRequired otherwise (a cookie that
    names no live session counts as a failed authentication)."""
    presented = request.cookies.get(SESSION_COOKIE)
    try:
        return admin_sessions.authenticate(session, presented)
    except Unauthorized as exc:
        if presented:
            authentication_failed(request)
        raise LoginRequired(exc.detail) from exc


def csrf_token(request: Request) -> str:
    """The CSRF value the forms of this admin session must send back."""
    return hmac.new(request.cookies.get(SESSION_COOKIE, "").encode(), b"firmas-csrf", hashlib.sha256).hexdigest()


def check_csrf(request: Request, submitted: str) -> None:
    expected = csrf_token(request)
    if not request.cookies.get(SESSION_COOKIE) or not hmac.compare_digest(expected, submitted):
        raise Forbidden("The form's CSRF token is missing or wrong.", field="csrf")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def set_login_csrf(request: Request, response: Response, value: str) -> None:
    """The login form's double-submit value goes in a cookie too; the POST must bring both."""
    response.set_cookie(LOGIN_CSRF_COOKIE, value, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure_cookies(request))


def check_login_csrf(request: Request, submitted: str) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, submitted):
        raise Forbidden("The form's CSRF token is missing or wrong.", field="csrf")
