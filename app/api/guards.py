"""ASGI guards in front of every route: request-body size limits and per-client rate limits.

Both answer with RFC 9457 problem+json before the application sees the request, so a route
added later is covered without doing anything.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem_response

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD"})


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a streamed body passes its limit; FastAPI lets HTTPExceptions
    through its body parsing, so problems.py renders it as 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit:,} bytes.")


class BodySizeLimit:
    """Refuse bodies over the limit without reading them whole: at once on a Content-Length that
    says so, else as soon as the streamed bytes pass it. JSON and URL-encoded form bodies (or a
    body of no declared type) get `max_body_bytes`; files (multipart, text/csv, anything else)
    get `max_upload_bytes`."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self.max_body_bytes if _is_small_body(headers.get("content-type", "")) else self.max_upload_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, noting_send)
        except BodyTooLarge:
            # why: a route reading the stream outside FastAPI's body parsing lets it escape.
            if started:
                raise
            await _too_large(scope, receive, send, limit)


def _is_small_body(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type in ("", "application/json", "application/x-www-form-urlencoded") or media_type.endswith("+json")


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = problem_response(
        413,
        "Payload too large",
        f"The request body is larger than {limit:,} bytes.",
        type_slug="payload-too-large",
        instance=scope.get("path"),
        limit=limit,
    )
    await response(scope, receive, send)


class RateLimit:
    """Per client address: `writes` for POST/PUT/PATCH/DELETE anywhere, `reads` for GET/HEAD under
    /api/. Over the limit: 429 with Retry-After. Failed logins count too, which slows guessing.

    why in memory: the embedded default is one process. Each worker of `firmas serve --workers N`
    keeps its own counts, so a client gets up to N times the limit; a shared store (the `limits`
    package speaks Redis and Memcached) would be the fix for a multi-process deployment.
    """

    def __init__(self, app: ASGIApp, *, writes: str, reads: str) -> None:
        self.app = app
        self.writes = parse_many(writes) if writes else []
        self.reads = parse_many(reads) if reads else []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def _limits_for(self, method: str, path: str) -> tuple[str, list[RateLimitItem]]:
        if method in WRITE_METHODS:
            return "write", self.writes
        if method in READ_METHODS and path.startswith("/api/"):
            return "read", self.reads
        return "other", []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind, limits = self._limits_for(scope["method"], scope["path"])
        client = scope.get("client")
        address = client[0] if client else "unknown"
        for limit in limits:
            if not self.limiter.hit(limit, kind, address):
                await self._refuse(scope, receive, send, limit, kind, address)
                return
        await self.app(scope, receive, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: RateLimitItem, kind: str, address: str
    ) -> None:
        reset_at, _remaining = self.limiter.get_window_stats(limit, kind, address)
        retry_after = max(1, math.ceil(reset_at - time.time()))
        response = problem_response(
            429,
            "Too many requests",
            f"More than {limit} {kind} requests from this address; retry in {retry_after} s.",
            type_slug="too-many-requests",
            instance=scope.get("path"),
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)
