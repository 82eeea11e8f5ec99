"""Admin sessions for the pages: the admin token in a Secure, HttpOnly, SameSite=Strict cookie,
and CSRF tokens on every form.

Forms of a logged-in admin carry an HMAC of the session's token: only a page rendered for that
session can know it. The login form, before there is a session, uses a double-submit cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response
from sqlalchemy.orm import Session

from app.errors import Forbidden, Unauthorized
from app.models import ApiToken
from app.services import tokens

SESSION_COOKIE = "firmas_admin"
LOGIN_CSRF_COOKIE = "firmas_login_csrf"
COOKIE_PATH = "/admin"


class LoginRequired(Unauthorized):
    """An admin page was asked for without a valid session; pages answer with the login form."""


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, token: str) -> None:
    # why: no max-age, so the cookie ends with the browser session; the token's own expiry and
    # revocation are checked on every request.
    response.set_cookie(
        SESSION_COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="strict", secure=_secure(request)
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, httponly=True, samesite="strict", secure=_secure(request))


def current_admin(session: Session, request: Request) -> ApiToken:
    """The token of the session cookie, checked like an API token; LoginRequired otherwise."""
    presented = request.cookies.get(SESSION_COOKIE)
    try:
        return tokens.authenticate(session, presented)
    except Unauthorized as exc:
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
    response.set_cookie(LOGIN_CSRF_COOKIE, value, path=COOKIE_PATH, httponly=True, samesite="strict", secure=_secure(request))


def check_login_csrf(request: Request, submitted: str) -> None:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, submitted):
        raise Forbidden("The form's CSRF token is missing or wrong.", field="csrf")
