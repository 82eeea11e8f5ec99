"""Test databases: a real SQLite file by default; PostgreSQL when FIRMAS_TEST_DATABASE_URL is set.

Each suite run migrates a fresh schema once; each test that uses `db` starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app import migrate
from app.db import make_engine, make_session_factory
from app.main import create_app
from app.models import Base
from app.services import seed, tokens
from app.settings import Settings

PG_ENV = "FIRMAS_TEST_DATABASE_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def fresh_postgres_schema(base_url: str, schema: str) -> str | None:
    """A URL whose connections use a just-emptied schema `schema`; None if PostgreSQL is unreachable."""
    url = Settings(database_url=base_url).database_url
    try:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except sa.exc.OperationalError:
        return None
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def postgres_url_or_skip(schema: str) -> str:
    """`schema` gets FIRMAS_TEST_SCHEMA_PREFIX in front, so two checkouts can run the suite at once."""
    prefixed = os.environ.get("FIRMAS_TEST_SCHEMA_PREFIX", "") + schema
    url = fresh_postgres_schema(os.environ.get(PG_ENV, DEFAULT_PG_URL), prefixed)
    if url is None:
        pytest.skip("PostgreSQL is not reachable")
    return url


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    if os.environ.get(PG_ENV):
        url = postgres_url_or_skip("firmas_suite")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'firmas.db'}"
    configured = Settings(database_url=url)
    migrate.upgrade(configured)
    return configured


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[sa.Engine]:
    created = make_engine(settings)
    yield created
    created.dispose()


def empty_all_tables(engine: sa.Engine) -> None:
    tables = [table.name for table in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(sa.text(f"DELETE FROM {name}"))
            if _has_sqlite_sequence(conn):
                conn.execute(sa.text("DELETE FROM sqlite_sequence"))


def _has_sqlite_sequence(conn: sa.Connection) -> bool:
    return conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() is not None


@pytest.fixture
def db(engine: sa.Engine) -> sessionmaker[Session]:
    """A session factory over empty tables."""
    empty_all_tables(engine)
    return make_session_factory(engine)


@pytest.fixture
def seeded(db: sessionmaker[Session]) -> sessionmaker[Session]:
    """A session factory over the shipped seed statements."""
    with db() as session, session.begin():
        seed.load(session)
    return db


@pytest.fixture
def client(settings: Settings, db: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def seeded_client(settings: Settings, seeded: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def admin_token(db: sessionmaker[Session]) -> str:
    with db() as session, session.begin():
        _, plaintext = tokens.create(session, name="test-admin")
    return plaintext
