"""Engine and session factory; SQLite gets the pragmas a multi-reader web service needs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from app.identity.names import search_text
from app.settings import Settings


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # why: WAL lets readers go on while an import writes; foreign keys are off by default in SQLite;
    # the busy timeout makes a second writer wait instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # why: statement text search folds accents in SQL on SQLite as PostgreSQL's translate() does.
    dbapi_connection.create_function("firmas_search_text", 1, _search_text_or_none, deterministic=True)


def _search_text_or_none(text: str | None) -> str | None:
    return None if text is None else search_text(text)


# Rows SQLite's ANALYZE reads per index: estimates good enough to choose plans, in milliseconds
# where a full ANALYZE of a million-line database takes half a second.
_ANALYSIS_LIMIT = 1000
# The tables bulk changes grow, and whose sizes decide the read queries' plans.
_PLANNED_TABLES = (
    "statements", "statement_urls", "organizations", "printed_names", "organization_names", "signature_lines",
    "organization_stats", "statement_stats",
)  # fmt: skip


def refresh_planner_statistics(connection: Connection) -> None:
    """Let the query planner see the tables as a bulk change (an import, a restore) left them.

    why: with no statistics SQLite guesses that `merged_into_id IS NULL` picks out a few
    organizations, and answered a name search by scanning all of them: 65 ms instead of 2 ms on
    a million-line database. PostgreSQL's autovacuum would get there, but only later.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA analysis_limit = {_ANALYSIS_LIMIT}")
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("PRAGMA analysis_limit = 0")
    else:
        connection.exec_driver_sql(f"ANALYZE {', '.join(_PLANNED_TABLES)}")


def make_engine(settings: Settings) -> Engine:
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url, pool_pre_ping=not settings.is_sqlite)
    if settings.is_sqlite:
        event.listen(engine, "connect", _configure_sqlite_connection)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work for the CLI: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session
