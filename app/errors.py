"""Domain errors: raised by services without knowing about HTTP; rendered once as RFC 9457 problems."""

from __future__ import annotations

from typing import Any


class FirmasError(Exception):
    """Base of every error a user can cause; `status` is the HTTP status it maps to."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = {key: value for key, value in extra.items() if value is not None}


class NotFound(FirmasError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class InvalidInput(FirmasError):
    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


class Conflict(FirmasError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class Unauthorized(FirmasError):
    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class PayloadTooLarge(FirmasError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


class Forbidden(FirmasError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class ServiceUnavailable(FirmasError):
    status = 503
    title = "Service unavailable"
    type_slug = "service-unavailable"
