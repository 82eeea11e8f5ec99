"""Prometheus metrics of the service: requests, latency, imports, admin actions, database pool.

In one process the counts live in memory. With several workers `firmas serve` points
PROMETHEUS_MULTIPROC_DIR at a fresh directory before they start: each process then writes its
counts to files there (prometheus-client's multiprocess mode) and `/metrics`, whichever worker
answers it, adds up every process's files.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "firmas_http_requests", "HTTP requests answered, by route template (not the raw path) and status.",
    ["method", "route", "status"],
)  # fmt: skip
# why these buckets: reads answer in 1-50 ms, exports and imports take seconds.
LATENCY = Histogram(
    "firmas_http_request_duration_seconds", "Time from the request's arrival to the last byte of its answer.",
    ["method", "route"], buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)  # fmt: skip
IMPORTS = Counter("firmas_imports", "Import attempts committed, by status (applied, dry_run, refused).", ["status"])
IMPORT_ROWS = Counter("firmas_import_rows", "Rows of committed imports: read, and signature lines added.", ["kind"])
ADMIN_ACTIONS = Counter(
    "firmas_admin_actions", "Audited actions committed (organization.merge, organization.unmerge, review.decide, ...).",
    ["action"],
)  # fmt: skip
POOL_OPEN = Gauge("firmas_db_connections_open", "Database connections held by the pools.", multiprocess_mode="livesum")
POOL_IN_USE = Gauge("firmas_db_connections_in_use", "Database connections checked out.", multiprocess_mode="livesum")

_ON_COMMIT = "firmas.metrics_on_commit"


def on_commit(session: Session, count: Callable[[], None]) -> None:
    """Run `count` once the session's transaction commits; forget it if it rolls back, so a
    rolled-back import or merge is never counted."""
    session.info.setdefault(_ON_COMMIT, []).append(count)


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    for count in session.info.pop(_ON_COMMIT, ()):
        count()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_ON_COMMIT, None)


def watch_pool(engine: Engine) -> None:
    """Keep the pool gauges up to date from the pool's own events (no work per request)."""
    event.listen(engine, "connect", lambda *_: POOL_OPEN.inc())
    event.listen(engine, "close", lambda *_: POOL_OPEN.dec())
    event.listen(engine, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(engine, "checkin", lambda *_: POOL_IN_USE.dec())


def exposition() -> bytes:
    """The Prometheus text format of every process's counts (multiprocess mode) or this one's."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


MEDIA_TYPE = CONTENT_TYPE_LATEST
