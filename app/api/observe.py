"""One pure ASGI middleware, outermost: a request id for every request, one log line and the
Prometheus counts of every answer (429s and 413s of the guards included).

why pure ASGI: Starlette's BaseHTTPMiddleware costs each request a task and a queue; this adds a
few microseconds (figures in docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import os
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import logs, metrics

log = logging.getLogger("firmas.request")

REQUEST_ID_HEADER = b"x-request-id"
# why: an id from outside goes into every log line, so only a short, plain one is taken.
_ACCEPTED_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
UNROUTED = "(unrouted)"


def incoming_request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _ACCEPTED_ID.fullmatch(value):
            return value.decode("ascii")
    return os.urandom(16).hex()


def route_template(scope: Scope) -> str:
    """The route's path template (`/api/organizations/{id_or_slug}`), never the raw path, so the
    metrics have one series per route and not one per organization."""
    route = scope.get("route")
    return getattr(route, "path", None) or UNROUTED


class RequestObserver:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # why: prometheus-client's labels() checks and hashes its arguments on every call; one
        # child per (method, route, status) looked up in a plain dict costs a tenth of that.
        self._counters: dict[tuple[str, str, int], object] = {}
        self._timers: dict[tuple[str, str], object] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = incoming_request_id(scope)
        token = logs.request_id.set(request_id)
        status = 500
        sent = 0

        async def observing_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id.encode())]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            self._record(scope, status, time.perf_counter() - started, sent)
            logs.request_id.reset(token)

    def _record(self, scope: Scope, status: int, seconds: float, sent: int) -> None:
        method, route = scope["method"], route_template(scope)
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = self._counters[method, route, status] = metrics.REQUESTS.labels(method, route, str(status))
        counter.inc()
        timer = self._timers.get((method, route))
        if timer is None:
            timer = self._timers[method, route] = metrics.LATENCY.labels(method, route)
        timer.observe(seconds)
        if not log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        log.info(
            "%s %s %d",
            method,
            scope["path"],
            status,
            extra=logs.extra(
                method=method,
                path=scope["path"],
                query=scope.get("query_string", b"").decode("latin-1")[:1000],
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
                bytes=sent,
                client=client[0] if client else None,
            ),
        )
