"""Each migration upgrades a database holding data from the revision before it, losing nothing.

For every step (previous -> revision) of the chain, on both engines: migrate step by step to
`previous`, filling each table as it appears with rows written the way that revision's schema
takes them (`ROWS_AT`, raw inserts through reflected tables: the models describe only the head),
then upgrade one step and check every row of every table is still there, column by column.

A new revision gets this check for free. Add to ROWS_AT[<new revision>] rows for the tables it
creates, so the step after it carries data too; a revision that changes existing data on purpose
declares it in CHANGED_ON_UPGRADE.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from app import migrate
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.models import Organization, OrganizationName, SignatureLine
from app.services import organizations, review
from app.services.backup import _advance_sequences
from app.settings import Settings
from tests.conftest import postgres_url_or_skip
from tests.live_counts import live_region_counts

T0 = dt.datetime(2021, 11, 3, 12, 30, tzinfo=dt.UTC)
Rows = dict[str, list[dict[str, Any]]]


def rows_at_0001() -> Rows:
    return {
        "statements": [
            dict(id=1, slug="comunicado", title="Comunicado conjunto «ante la CPI»", kind="joint_statement",
                 published_on=dt.date(2021, 11, 1), date_precision="month", language="es", translator=None,
                 addressees=["Fiscalía de la CPI"], summary="Resumen", body="Texto\ncompleto", notes=None, created_at=T0),
            dict(id=2, slug="carta", title="Open letter", kind="open_letter", published_on=None, date_precision=None,
                 language=None, translator="Ana", addressees=[], summary=None, body=None, notes="sin fecha", created_at=T0),
        ],
        "statement_urls": [dict(id=1, statement_id=1, url="https://example.org/comunicado")],
        "organizations": [
            dict(id=1, slug="provea", name="Provea", acronym="PROVEA", country="VE", region_code="VE-A",
                 region_source="import", sector="ngo", sector_source="inferred", merged_into_id=None, created_at=T0),
            dict(id=2, slug="aqui-cabemos-todos", name="Aquí Cabemos Todos", acronym=None, country=None,
                 region_code=None, region_source=None, sector=None, sector_source=None, merged_into_id=None, created_at=T0),
        ],
        "printed_names": [
            dict(id=1, text="Provea", match_key="provea", key_version=1, search_text="provea", organization_id=1, created_at=T0),
            dict(id=2, text="Aquí Cabemos Todos", match_key="aqui cabemos todos", key_version=1,
                 search_text="aqui cabemos todos", organization_id=2, created_at=T0),
        ],
        "signature_lines": [
            dict(id=1, statement_id=1, sort_order=1, position="1", raw_text="1) Provea", printed_name_id=1, is_repeat=False),
            dict(id=2, statement_id=1, sort_order=2, position="10", raw_text="10) Aquí Cabemos Todos", printed_name_id=2, is_repeat=False),
            dict(id=3, statement_id=1, sort_order=3, position="", raw_text="Aquí Cabemos Todos", printed_name_id=2, is_repeat=True),
            dict(id=4, statement_id=2, sort_order=1, position="", raw_text="Provea", printed_name_id=1, is_repeat=False),
        ],
        "api_tokens": [
            dict(id=1, name="ana", token_hash="a" * 64, created_at=T0, expires_at=T0 + dt.timedelta(days=30),
                 revoked_at=None, last_used_at=T0),
        ],
        "audit_events": [
            dict(id=1, occurred_at=T0, actor="cli", action="token.create", subject_type="token", subject_id=1,
                 details={"name": "ana"}),
        ],
    }


def rows_at_0002() -> Rows:
    return {
        "organizations": [
            dict(id=3, slug="provea-2", name="PROVEA", acronym=None, country="VE", region_code="VE-L", region_source="import",
                 region_evidence=None, sector=None, sector_source=None, merged_into_id=1, created_at=T0),
        ],
        "printed_names": [
            dict(id=3, text="PROVEA", match_key="provea", key_version=1, search_text="provea", organization_id=1, created_at=T0),
        ],
        "review_candidates": [
            dict(id=1, organization_a_id=1, organization_b_id=3, score=0.91, reasons=["same acronym"], status="same",
                 decided_by="ana", decided_at=T0, created_at=T0),
            dict(id=2, organization_a_id=1, organization_b_id=2, score=0.2, reasons=[], status="different",
                 decided_by="ana", decided_at=T0, created_at=T0),
        ],
        "merges": [
            dict(id=1, survivor_id=1, merged_id=3, candidate_id=1, actor="ana", created_at=T0 + dt.timedelta(hours=1),
                 survivor_before={"acronym": None}, undone_at=None, undone_by=None),
        ],
        "signature_lines": [
            dict(id=5, statement_id=2, sort_order=2, position="", raw_text="PROVEA", printed_name_id=3, is_repeat=True),
        ],
        "merge_moves": [dict(id=1, merge_id=1, printed_name_id=3)],
    }


def rows_at_0007() -> Rows:
    """An admin logged in with token 1 (of 0001)."""
    return {
        "admin_sessions": [
            dict(id=1, session_hash="b" * 64, token_id=1, created_at=T0, expires_at=T0 + dt.timedelta(hours=12)),
        ],
    }


ROWS_AT: dict[str, Callable[[], Rows]] = {"0001": rows_at_0001, "0002": rows_at_0002, "0007": rows_at_0007}
# revision -> function(table, rows before) -> rows expected after, for migrations that change data.
def changed_by_0006(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Identity v2: printed names lose their organization (lines carry it); a merge's moves become
    the lines of the names it moved (merge 1 moved PROVEA, printed on line 5)."""
    if table == "printed_names":
        return [{key: value for key, value in row.items() if key != "organization_id"} for row in rows]
    if table == "merge_moves":
        return [{"id": 1, "merge_id": 1}]
    return rows


CHANGED_ON_UPGRADE: dict[str, Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]]] = {"0006": changed_by_0006}


def chain() -> list[str]:
    """Revisions from the first to the head."""
    script = ScriptDirectory(str(Path(__file__).resolve().parents[2] / "migrations"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


STEPS = list(zip(chain(), chain()[1:]))


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path / 'upgrades.db'}")
    return Settings(database_url=postgres_url_or_skip("firmas_upgrades"))


def _insert(engine: sa.Engine, rows: Rows) -> None:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for table_name, table_rows in rows.items():
            connection.execute(metadata.tables[table_name].insert(), table_rows)


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    if isinstance(value, str) and value[:1] in "[{":
        try:  # a JSON column reflected without its type hands back text on some engines
            return json.loads(value)
        except ValueError:
            return value
    return value


def _snapshot(engine: sa.Engine) -> Rows:
    metadata = sa.MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return {
            name: [
                {key: _comparable(value) for key, value in row._mapping.items()}
                for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
            ]
            for name, table in metadata.tables.items()
            if name != "alembic_version"
        }


def _migrate_with_data_to(settings: Settings, engine: sa.Engine, target: str) -> None:
    for revision in chain()[: chain().index(target) + 1]:
        migrate.upgrade(settings, revision)
        if revision in ROWS_AT:
            _insert(engine, ROWS_AT[revision]())


def _kept(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`after` cut to the columns `before` had, for a row-by-row comparison."""
    columns = set(before[0]) if before else set()
    return [{key: value for key, value in row.items() if key in columns} for row in after]


@pytest.mark.parametrize(("previous", "revision"), STEPS, ids=[f"{a}->{b}" for a, b in STEPS])
def test_upgrade_keeps_every_row(empty_database: Settings, previous: str, revision: str) -> None:
    engine = sa.create_engine(empty_database.database_url)
    try:
        _migrate_with_data_to(empty_database, engine, previous)
        before = _snapshot(engine)
        assert sum(len(rows) for rows in before.values()) > 0

        migrate.upgrade(empty_database, revision)
        after = _snapshot(engine)

        change = CHANGED_ON_UPGRADE.get(revision, lambda _table, rows: rows)
        lost = {
            table: rows
            for table, rows in before.items()
            if _kept(rows, after.get(table, [])) != change(table, rows)
        }
        assert lost == {}
    finally:
        engine.dispose()


def test_the_check_notices_lost_data(empty_database: Settings) -> None:
    """The control: downgrading the last step drops its tables and columns, and the same
    comparison reports them."""
    engine = sa.create_engine(empty_database.database_url)
    try:
        _migrate_with_data_to(empty_database, engine, chain()[-1])
        before = _snapshot(engine)
        migrate.downgrade(empty_database, chain()[-2])
        after = _snapshot(engine)
        lost = {table for table, rows in before.items() if rows and _kept(rows, after.get(table, [])) != rows}
        assert lost
    finally:
        engine.dispose()


def test_the_data_of_every_revision_reaches_the_head(empty_database: Settings) -> None:
    engine = sa.create_engine(empty_database.database_url)
    try:
        _migrate_with_data_to(empty_database, engine, chain()[-1])
        after = _snapshot(engine)
        inserted = {}
        for make in ROWS_AT.values():
            for table, rows in make().items():
                inserted.setdefault(table, []).extend(rows)
        assert {table: len(after[table]) for table in inserted} == {table: len(rows) for table, rows in inserted.items()}
    finally:
        engine.dispose()


def test_0005_fills_the_region_counts_from_the_stored_lines(empty_database: Settings) -> None:
    """Provea (VE-A) signed both statements; PROVEA (VE-L), merged into it, counts nowhere."""
    engine = sa.create_engine(empty_database.database_url)
    try:
        _migrate_with_data_to(empty_database, engine, "0004")
        migrate.upgrade(empty_database, "0005")
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT region_code, organization_count, statement_count FROM region_stats"))
            stored = {code: (organizations, statements) for code, organizations, statements in rows}
            assert stored == live_region_counts(connection) == {"VE-A": (1, 2)}
    finally:
        engine.dispose()


def test_0006_carries_merges_so_that_their_undo_still_works(empty_database: Settings) -> None:
    """PROVEA (VE-L, from its own file) was merged into Provea (VE-A) in v1: its line keeps its
    file's region, the survivor shows that the files disagree, the merged id still redirects, and
    undoing the merge after the upgrade gives each its lines and region back."""

    engine = sa.create_engine(empty_database.database_url)
    try:
        _migrate_with_data_to(empty_database, engine, "0005")
        migrate.upgrade(empty_database)  # through 0006, to the head the app needs
        if engine.dialect.name == "postgresql":  # the rows above came with their ids
            with engine.begin() as connection:
                _advance_sequences(connection)
    finally:
        engine.dispose()
    factory = make_session_factory(make_engine(empty_database))
    with factory() as session:
        lines = {line.id: (line.organization_id, line.region_code) for line in session.scalars(sa.select(SignatureLine))}
        assert lines == {1: (1, "VE-A"), 2: (2, None), 3: (2, None), 4: (1, "VE-A"), 5: (1, "VE-L")}
        assert session.get_one(Organization, 1).region_conflict == ["VE-A", "VE-L"]
        assert organizations.printed_names(session, 1) == ["Provea", "PROVEA"]
        assert session.scalar(sa.select(sa.func.count()).select_from(OrganizationName)) == 3
        assert organizations.get(session, "provea-2").merged_into_id == 1
    with TestClient(create_app(empty_database)) as client:
        assert client.get("/api/organizations/provea-2", follow_redirects=False).headers["location"].endswith("/provea")
        assert client.get("/api/organizations/3", follow_redirects=False).status_code == 308
        assert client.get("/organizaciones/provea-2", follow_redirects=False).status_code in (301, 308)
    with factory() as session, session.begin():
        review.undo_merge(session, 1, actor="test")
    with factory() as session:
        assert session.get_one(SignatureLine, 5).organization_id == 3
        provea, other = session.get_one(Organization, 1), session.get_one(Organization, 3)
        assert (provea.region_code, provea.region_conflict, provea.merged_into_id) == ("VE-A", None, None)
        assert (other.region_code, other.region_source, other.merged_into_id) == ("VE-L", "import", None)
        assert organizations.printed_names(session, 3) == ["PROVEA"]
