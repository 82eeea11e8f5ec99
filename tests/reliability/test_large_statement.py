"""A statement with more signers than PostgreSQL takes parameters in one statement (65,535): every
list of ids the import, the stored counts and a merge send to the database goes in chunks."""

from __future__ import annotations

import io

import sqlalchemy as sa

from app import migrate
from app.db import make_engine, make_session_factory
from app.models import OrganizationStats, StatementStats
from app.services import importer, review
from app.settings import Settings
from tests.conftest import postgres_url_or_skip

SIGNERS = 70_000


def _file(count: int) -> bytes:
    rows = "".join(f"Fundación Número {number:06d} del Estado Lara,{number},VE-K\n" for number in range(1, count + 1))
    return ("organization,position,region\n" + rows).encode()


def test_a_70000_signer_statement_imports_and_merges_on_postgresql() -> None:
    settings = Settings(database_url=postgres_url_or_skip("firmas_large_statement"))
    migrate.upgrade(settings)
    factory = make_session_factory(make_engine(settings))
    options = importer.ImportOptions(file_name="grande.csv", title="Adhesiones masivas", suggestions=False)
    with factory() as session, session.begin():
        record = importer.run_import(session, io.BytesIO(_file(SIGNERS)), options=options, actor="test")
        assert record.status == "applied", record.report["errors"][:3]
    with factory() as session, session.begin():  # the same statement again: its signers' counts are refreshed
        again = importer.run_import(session, io.BytesIO(_file(SIGNERS + 10)), options=options, actor="test")
        assert again.report["totals"]["lines_added"] == 10
    with factory() as session:
        assert session.scalar(sa.select(StatementStats.organization_count)) == SIGNERS + 10
        assert session.scalar(sa.select(sa.func.count()).select_from(OrganizationStats)) == SIGNERS + 10
        first, second = session.scalars(sa.select(OrganizationStats.organization_id).order_by(OrganizationStats.organization_id).limit(2))
    with factory() as session, session.begin():
        review.merge_organizations(session, second, first, actor="test")
    with factory() as session:
        assert session.scalar(sa.select(StatementStats.organization_count)) == SIGNERS + 9
