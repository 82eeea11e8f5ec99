"""The migration chain: up from empty, matches the models, and down to empty, on both engines."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import migrate
from app.models import SEARCH_INDEX_TABLES, SEARCH_INDEXES, Base
from app.settings import Settings
from tests.conftest import postgres_url_or_skip


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return Settings(database_url=f"sqlite:///{tmp_path / 'migrations.db'}")
    return Settings(database_url=postgres_url_or_skip("firmas_migrations"))


def _tables(settings: Settings) -> set[str]:
    engine = sa.create_engine(settings.database_url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version", *SEARCH_INDEX_TABLES}
    finally:
        engine.dispose()


def _not_search_index(name: str | None, type_: str, _parent: object) -> bool:
    return not ((type_ == "table" and name in SEARCH_INDEX_TABLES) or (type_ == "index" and name in SEARCH_INDEXES))


def _differences(settings: Settings) -> list:
    engine = sa.create_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _not_search_index})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def test_upgrade_creates_exactly_the_models_tables(empty_database: Settings) -> None:
    migrate.upgrade(empty_database)
    assert _tables(empty_database) == set(Base.metadata.tables)


def test_models_match_the_migrations(empty_database: Settings) -> None:
    migrate.upgrade(empty_database)
    assert _differences(empty_database) == []


def test_downgrade_returns_to_empty_and_upgrades_again(empty_database: Settings) -> None:
    migrate.upgrade(empty_database)
    migrate.downgrade(empty_database, "base")
    assert _tables(empty_database) == set()
    migrate.upgrade(empty_database)
    assert _tables(empty_database) == set(Base.metadata.tables)
