"""Alembic environment: migrate the database named by the settings (or the URL set by the caller)."""

from __future__ import annotations

import warnings
from logging.config import fileConfig

from alembic import context

from app.db import make_engine
from app.models import Base
from app.settings import Settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# why: batch mode reflects tables, and SQLite's expression index on lower(acronym) cannot be
# reflected; the migrations that rebuild a table re-create that index themselves.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")


def _settings() -> Settings:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return Settings(database_url=url) if url else Settings()


def run_migrations_offline() -> None:
    settings = _settings()
    context.configure(
        url=settings.database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=settings.is_sqlite,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    settings = _settings()
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_with(connection, settings)
        return
    engine = make_engine(settings)
    with engine.connect() as conn:
        _run_with(conn, settings)
    engine.dispose()


def _run_with(connection, settings: Settings) -> None:
    # why: SQLite cannot ALTER most things in place; batch mode rebuilds the table instead, by
    # copy, drop and rename. With foreign keys enforced, dropping a table that other rows point at
    # fails, so they are off while migrating (the pragma only works outside a transaction) and
    # checked afterwards.
    if settings.is_sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=settings.is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
    if settings.is_sqlite:
        violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        if violations:
            raise RuntimeError(f"the migration left rows pointing at missing rows: {violations[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
