"""Readers of a real server never see a half-done write, and are not held up by one.

A `firmas serve` process answers the reads; this process writes through the services on its own
engine, as the CLI or a second worker would. Both engines: a temporary SQLite file (WAL) and a
PostgreSQL schema.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app import migrate
from app.db import make_engine, make_session_factory
from app.models import Organization, SignatureLine, Statement
from app.services import review, seed
from app.settings import Settings
from tests.conftest import postgres_url_or_skip
from tests.reliability.servers import free_port, start_server, stop_server

MERGE_CYCLES = 10
READERS = 3


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Settings, sa.Engine]]:
    if request.param == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'concurrency.db'}")
    else:
        settings = Settings(database_url=postgres_url_or_skip("firmas_concurrency"))
    migrate.upgrade(settings)
    engine = make_engine(settings)
    with make_session_factory(engine)() as session, session.begin():
        seed.load(session)
    yield settings, engine
    engine.dispose()


@pytest.fixture
def server(seeded_database: tuple[Settings, sa.Engine]) -> Iterator[str]:
    port = free_port()
    process = start_server(seeded_database[0].database_url, port, RATE_LIMIT_READS="", RATE_LIMIT_WRITES="", RATE_LIMIT_AUTH_FAILURES="")
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


def _busiest_pair(engine: sa.Engine) -> tuple[int, int, str]:
    """Two organizations on the same statement, and that statement's slug, so a merge rewrites
    what readers of the statement see."""
    with make_session_factory(engine)() as session:
        statement = session.scalars(select(Statement).order_by(Statement.id)).first()
        organization_ids = session.scalars(
            select(SignatureLine.organization_id)
            .where(SignatureLine.statement_id == statement.id)
            .order_by(SignatureLine.sort_order)
        ).all()
        return organization_ids[0], organization_ids[1], statement.slug


def _read_until(stop: threading.Event, base: str, slug: str, merged_id: int, problems: list[str], reads: list[int]) -> None:
    with httpx.Client(base_url=base, timeout=30) as http:
        expected_lines = None
        while not stop.is_set():
            statement = http.get(f"/api/statements/{slug}")
            organization = http.get(f"/api/organizations/{merged_id}")
            if statement.status_code != 200 or organization.status_code not in (200, 308):
                problems.append(f"status {statement.status_code}/{organization.status_code}")
                continue
            lines = statement.json()["lines"]
            expected_lines = expected_lines or len(lines)
            orphans = [line["raw_text"] for line in lines if not (line["organization"] or {}).get("id")]
            if orphans or len(lines) != expected_lines:
                problems.append(f"{len(lines)} lines, without organization: {orphans[:3]}")
            reads.append(len(lines))


def test_merge_and_undo_never_show_a_line_without_its_organization(
    seeded_database: tuple[Settings, sa.Engine], server: str
) -> None:
    _, engine = seeded_database
    merged_id, survivor_id, slug = _busiest_pair(engine)
    factory = make_session_factory(engine)
    stop, problems, reads = threading.Event(), [], []
    readers = [
        threading.Thread(target=_read_until, args=(stop, server, slug, merged_id, problems, reads)) for _ in range(READERS)
    ]
    for reader in readers:
        reader.start()
    try:
        for _ in range(MERGE_CYCLES):
            with factory() as session, session.begin():
                merge = review.merge_organizations(session, merged_id, survivor_id, actor="test")
            with factory() as session, session.begin():
                review.undo_merge(session, merge.id, actor="test")
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert problems == []
    assert len(reads) >= READERS  # every reader got answers while the writer ran


def test_reads_go_on_while_a_long_write_transaction_is_open(
    seeded_database: tuple[Settings, sa.Engine], server: str
) -> None:
    """A write transaction held open for two seconds: reads keep answering, and they see the
    data as it was until the commit (SQLite in WAL mode; PostgreSQL's MVCC)."""
    _, engine = seeded_database
    with make_session_factory(engine)() as session:
        first = session.scalars(select(Organization).order_by(Organization.id)).first()
        organization_id, old_name = first.id, first.name
    answered_while_open = []
    with httpx.Client(base_url=server, timeout=10) as http, make_session_factory(engine)() as writer:
        with writer.begin():
            writer.get_one(Organization, organization_id).name = "Renamed inside an open transaction"
            writer.flush()  # the write lock is now held (SQLite) / the row is locked (PostgreSQL)
            opened = time.monotonic()
            while time.monotonic() - opened < 2:
                started = time.monotonic()
                response = http.get(f"/api/organizations/{organization_id}")
                answered_while_open.append((response.status_code, response.json()["name"], time.monotonic() - started))
        after = http.get(f"/api/organizations/{organization_id}").json()["name"]
    assert len(answered_while_open) >= 5
    assert {(status, name) for status, name, _ in answered_while_open} == {(200, old_name)}
    assert max(seconds for *_, seconds in answered_while_open) < 1
    assert after == "Renamed inside an open transaction"

