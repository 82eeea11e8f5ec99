"""`firmas serve`: uvicorn with what a service on the internet needs, from one Settings.

- the request line and headers are capped in size (MAX_HEADER_BYTES, else 431) and in time
  (HEADER_TIMEOUT_SECONDS, else the connection closes): uvicorn's httptools protocol has neither,
  so a client could hold memory with an endless header or a connection with a slow one;
- X-Forwarded-For is believed only from TRUSTED_PROXIES (the app applies it; uvicorn's own
  handling, which trusts 127.0.0.1 by default, is turned off);
- logs in the configured format, one line per request from api.observe;
- several workers share their metrics through PROMETHEUS_MULTIPROC_DIR, made here when unset;
- SIGTERM stops accepting connections and lets requests in flight finish (up to
  GRACEFUL_SHUTDOWN_SECONDS).
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import tempfile

import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app import logs
from app.metrics import MULTIPROC_ENV
from app.settings import Settings

HEADER_END = b"\r\n\r\n"
LINGER_SECONDS = 2.0
WORKER_STARTUP_SECONDS = 30


@functools.cache
def _header_limits() -> tuple[int, float]:
    """Read once per worker process (the protocol class is named by import string, so workers can
    load it; it cannot carry the values itself)."""
    settings = Settings()
    return settings.max_header_bytes, settings.header_timeout_seconds


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a cap on the bytes and the time a request's head may take."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._head_tail = b""
        self._reading_head = True
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._reading_head and not self._count_head(data):
            return
        super().data_received(data)

    def _count_head(self, data: bytes) -> bool:
        """Count the bytes of the head in `data`; False (and 431 sent) past the cap."""
        if self._head_timer is None:
            self._arm_head_timer()
        window = self._head_tail + data
        end = window.find(HEADER_END)
        complete = end != -1
        self._head_bytes += len(data) if not complete else end + len(HEADER_END) - len(self._head_tail)
        self._head_tail = window[-(len(HEADER_END) - 1) :]
        max_bytes, _timeout = _header_limits()
        if self._head_bytes > max_bytes:
            self._end_of_head()
            self._refuse(431, f"The request line and headers are larger than {max_bytes} bytes.")
            return False
        if complete:
            self._end_of_head()
        return True

    def _end_of_head(self) -> None:
        self._reading_head = False
        self._head_bytes, self._head_tail = 0, b""
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _arm_head_timer(self) -> None:
        _max_bytes, timeout = _header_limits()
        self._head_timer = self.loop.call_later(timeout, self._head_timed_out)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._reading_head and not self.transport.is_closing():
            self._refuse(408, "The request line and headers took too long to arrive.")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        # why: the next bytes on this connection are the head of its next request.
        self._reading_head, self._head_bytes, self._head_tail = True, 0, b""

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def _refuse(self, status: int, message: str) -> None:
        body = message.encode("ascii")
        self.transport.write(
            STATUS_LINE[status]
            + b"content-type: text/plain; charset=utf-8\r\ncontent-length: "
            + str(len(body)).encode("ascii")
            + b"\r\nconnection: close\r\n\r\n"
            + body
        )
        # why not close at once: closing with the client's bytes unread sends a reset, which can
        # destroy the answer before the client reads it. Half-close, drop what still comes, and
        # close for good shortly after (nginx's "lingering close").
        self._refused = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def serve(settings: Settings, *, host: str, port: int, workers: int) -> None:
    os.environ["DATABASE_URL"] = settings.database_url
    metrics_dir = _multiprocess_metrics_dir(workers)
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            http="app.server:BoundedHttpToolsProtocol",
            proxy_headers=False,
            access_log=False,
            log_config=logs.config(settings),
            log_level=settings.log_level,
            timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
            # why: uvicorn restarts a worker not ready within 5 s; on a busy two-core machine
            # importing the app took longer (seen: a worker killed and started again).
            timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
        )
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _multiprocess_metrics_dir(workers: int) -> str | None:
    """With several workers, a fresh directory for their metric files, removed at exit (None when
    one process serves, or the operator chose the directory: then it is theirs to empty)."""
    if workers == 1 or os.environ.get(MULTIPROC_ENV):
        return None
    directory = tempfile.mkdtemp(prefix="firmas-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    return directory
