"""Conditional GET for every public JSON read: an ETag of the body, Cache-Control, and 304.

Routes that set their own ETag (the lists, whose CSV is streamed) or their own Cache-Control (a
whole list streamed with limit=all, which must not be held in memory) are passed through untouched.
A pure ASGI middleware: Starlette's BaseHTTPMiddleware would cost each request a task switch.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.listing import CACHE_CONTROL, etag_matches, etag_of


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp, path_prefix: str = "/api/") -> None:
        self.app = app
        self.path_prefix = path_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        private = "authorization" in request_headers
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffered_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=message["headers"])
                if message["status"] != 200 or "etag" in headers or "cache-control" in headers:
                    if private and "etag" in headers:
                        headers["Cache-Control"] = "private, no-cache"
                    start = None
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            etag = etag_of(body)
            headers = MutableHeaders(raw=start["headers"])
            headers["ETag"] = etag
            headers["Cache-Control"] = "private, no-cache" if private else CACHE_CONTROL
            if etag_matches(request_headers.get("if-none-match"), etag):
                del headers["content-length"]
                await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
                await send({"type": "http.response.body", "body": b""})
                return
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered_send)



class CorsByPath:
    """CORS: reads are public, so any page may call them from a browser (GET, HEAD); writes stay
    same-origin. The reconciliation service is a read that clients POST (OpenRefine's web
    relatives send `queries`/`extend` as forms or JSON), so its preflight also grants POST with a
    Content-Type (0.2: cross-origin access uniformly on all its endpoints)."""

    RECONCILE_PREFIX = "/api/reconcile"
    EXPOSED = ["Link", "ETag", "X-Total-Count"]

    def __init__(self, app: ASGIApp) -> None:
        self.reads = CORSMiddleware(app, allow_origins=["*"], allow_methods=["GET", "HEAD"], expose_headers=self.EXPOSED)
        self.reconcile = CORSMiddleware(
            app, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"], allow_headers=["Content-Type"],
            expose_headers=self.EXPOSED,
        )  # fmt: skip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.RECONCILE_PREFIX):
            await self.reconcile(scope, receive, send)
        else:
            await self.reads(scope, receive, send)
