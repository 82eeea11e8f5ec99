"""ASGI guards in front of every route: request-body size limits, per-client rate limits, the
client's address behind trusted proxies, and the public origin of absolute links.

Both answer with RFC 9457 problem+json before the application sees the request, so a route
added later is covered without doing anything.
"""

from __future__ import annotations

import logging
import math
import time
from urllib.parse import urlsplit

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem_response

log = logging.getLogger("firmas.guards")

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


class AuthAttempt:
    """Put in the scope by RateLimit; the authentication code marks a failure on it (see
    `authentication_failed`), whatever route it happens on."""

    __slots__ = ("failed",)

    def __init__(self) -> None:
        self.failed = False


AUTH_ATTEMPT = "firmas.auth_attempt"


def authentication_failed(request: Request) -> None:
    """Count this request against its client's failed-authentication budget: a token or admin
    session was presented and was not valid."""
    attempt = request.scope.get(AUTH_ATTEMPT)
    if attempt is not None:
        attempt.failed = True


class RateLimit:
    """Per client address: `writes` for POST/PUT/PATCH/DELETE anywhere, `reads` for GET/HEAD under
    /api/, `failures` for failed authentications on any route (a bad bearer token, a bad admin
    cookie on a GET, a wrong token on the login form). Over a limit: 429 with Retry-After.

    The counts live in `storage` (a `limits` URI): memory:// keeps them per process; redis://
    shares them between every process and machine, so a client gets the limit once, not once per
    worker. If the shared store does not answer, requests go through (logged): an outage of the
    limiter must not become an outage of the registry.

    why the budgets are apart: a failed authentication is never counted as a write, so a client
    whose guesses were refused keeps its legitimate writes; and a valid token or session is always
    served, also from an address over its failure budget, so nobody who shares an address with a
    guesser (a NAT, a proxy) is locked out. Guessing gets 429 instead of 401 past the budget (a
    token has 256 random bits: the budget bounds the work and shows the attempt, in the logs and in
    the 429 counts of /metrics). Writes are tested before the request and counted once it is known
    not to be a failed authentication, so concurrent writes may pass the limit by their number.
    """

    def __init__(self, app: ASGIApp, *, writes: str, reads: str, failures: str, storage: str) -> None:
        self.app = app
        self.writes = parse_many(writes) if writes else []
        self.reads = parse_many(reads) if reads else []
        self.failures = parse_many(failures) if failures else []
        self.limiter = MovingWindowRateLimiter(_async_storage(storage))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        method = scope["method"]
        if method in READ_METHODS and scope["path"].startswith("/api/"):
            refused = await self._first_refusal(self.reads, "read", address, hit=True)
        elif method in WRITE_METHODS:
            refused = await self._first_refusal(self.writes, "write", address, hit=False)
        else:
            refused = None
        if refused is not None:
            await self._refuse(scope, receive, send, refused, "read" if method in READ_METHODS else "write", address)
            return
        attempt = scope[AUTH_ATTEMPT] = AuthAttempt()
        refusing = False

        async def counting_send(message: Message) -> None:
            nonlocal refusing
            if message["type"] == "http.response.start":
                if attempt.failed:
                    over = await self._first_refusal(self.failures, "auth-failure", address, hit=True)
                    if over is not None:
                        refusing = True
                        await self._refuse(scope, receive, send, over, "failed authentication", address)
                        return
                elif method in WRITE_METHODS:
                    await self._first_refusal(self.writes, "write", address, hit=True)
            if not refusing:
                await send(message)

        await self.app(scope, receive, counting_send)

    async def _first_refusal(self, limits: list[RateLimitItem], kind: str, address: str, *, hit: bool) -> RateLimitItem | None:
        """The first of `limits` the client is over (counting this request when `hit`), or None."""
        for limit in limits:
            try:
                allowed = await (self.limiter.hit if hit else self.limiter.test)(limit, NAMESPACE, kind, address)
            except StorageError as exc:
                log.error("rate-limit storage unavailable; request let through: %s", exc.storage_error)
                return None
            if not allowed:
                return limit
        return None

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, limit: RateLimitItem, kind: str, address: str
    ) -> None:
        key = "auth-failure" if kind == "failed authentication" else kind
        try:
            stats = await self.limiter.get_window_stats(limit, NAMESPACE, key, address)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        except StorageError:
            retry_after = limit.get_expiry()
        response = problem_response(
            429,
            "Too many requests",
            f"More than {limit} {kind} requests from this address; retry in {retry_after} s.",
            type_slug="too-many-requests",
            instance=scope.get("path"),
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)


# why a namespace: several deployments may share one Redis.
NAMESPACE = "firmas"


def _async_storage(uri: str) -> Storage:
    """The `limits` asyncio storage for a URI written as for the synchronous one (memory://,
    redis://...); Redis through redis-py, the one Redis client the project depends on."""
    scheme = uri if uri.startswith("async+") else f"async+{uri}"
    options = {"implementation": "redispy"} if "redis" in scheme.split("://", 1)[0] else {}
    return storage_from_string(scheme, wrap_exceptions=True, **options)


class PublicOrigin:
    """Absolute links (`url`, `next`, `Link`, `Location`, the reconciliation manifest) must not
    follow the request's Host header, which anyone can set, into answers a cache shares.

    With PUBLIC_BASE_URL the request is made to look as if it came to that origin (scheme, host,
    port), so every URL the app builds starts with it. Without it, answers marked public get
    `Vary: Host`, so a shared cache keeps one copy per Host and serves nobody another's.
    """

    def __init__(self, app: ASGIApp, *, public_base_url: str | None) -> None:
        self.app = app
        parsed = urlsplit(public_base_url) if public_base_url else None
        self.scheme = parsed.scheme if parsed else None
        self.host = parsed.netloc.encode("latin-1") if parsed else None
        default_port = 443 if self.scheme == "https" else 80
        self.server = (parsed.hostname, parsed.port or default_port) if parsed else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.host is not None:
            scope["scheme"], scope["server"] = self.scheme, self.server
            scope["headers"] = [(b"host", self.host), *((k, v) for k, v in scope["headers"] if k != b"host")]
            await self.app(scope, receive, send)
            return

        async def varying_send(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_public(message.get("headers", ())):
                MutableHeaders(raw=message["headers"]).add_vary_header("Host")
            await send(message)

        await self.app(scope, receive, varying_send)


def _is_public(raw_headers) -> bool:
    return any(name == b"cache-control" and b"public" in value for name, value in raw_headers)
