"""Conditional GET for every public JSON read: an ETag of the body, Cache-Control, and 304.

Routes that set their own ETag (the lists, whose CSV is streamed) are passed through untouched.
A pure ASGI middleware: Starlette's BaseHTTPMiddleware would cost each request a task switch.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
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
                if message["status"] != 200 or "etag" in headers:
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

