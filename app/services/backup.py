"""Backup and restore as a portable archive, independent of the database engine.

The archive is a ZIP file:

    manifest.json        {"format": "firmas-backup", "format_version": 1, "schema_revision": "0002",
                          "created_at": ..., "source_dialect": "sqlite",
                          "tables": [{"name", "file", "rows", "sha256", "columns"}, ...]}
    tables/<table>.jsonl one JSON object per row, columns by name, rows in primary-key order;
                         dates and times as ISO 8601 (times in UTC), JSON columns as JSON.

Every table of `Base.metadata` is included, so tables added later are backed up without changes
here. A restore goes into an empty database migrated to the archive's schema revision, in one
transaction; PostgreSQL sequences are moved past the restored ids afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from app.db import refresh_planner_statistics
from app.errors import Conflict, InvalidInput
from app.models import Base

FORMAT = "firmas-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_BATCH_ROWS = 1000


@dataclass(frozen=True)
class TableSummary:
    name: str
    rows: int


@dataclass(frozen=True)
class BackupSummary:
    schema_revision: str
    tables: list[TableSummary]

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


def schema_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


# --- backup -----------------------------------------------------------------------------------------


def backup(engine: sa.Engine, path: Path) -> BackupSummary:
    """Write every table to a new archive at `path` from one consistent snapshot.

    Takes the engine rather than a session: the snapshot needs a connection of its own
    (REPEATABLE READ on PostgreSQL, an explicit BEGIN on SQLite).

    The archive is written beside `path` and renamed into place, so a failure never leaves a
    truncated archive under the requested name.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        with _snapshot(engine) as connection, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            revision = schema_revision(connection)
            if revision is None:
                raise InvalidInput("The database has no schema yet; nothing to back up.")
            entries = [_write_table(connection, archive, table) for table in Base.metadata.sorted_tables]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "schema_revision": revision,
                "created_at": dt.datetime.now(dt.UTC).isoformat(),
                "source_dialect": engine.dialect.name,
                "tables": entries,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupSummary(revision, [TableSummary(entry["name"], entry["rows"]) for entry in entries])


class _snapshot:
    """A connection that sees one point in time across every table it reads."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def __enter__(self) -> sa.Connection:
        if self.engine.dialect.name == "postgresql":
            self.connection = self.engine.connect().execution_options(isolation_level="REPEATABLE READ")
            self.connection.begin()
        else:
            # why: pysqlite does not begin a transaction before a SELECT, so each read would see
            # its own moment; an explicit BEGIN pins the WAL snapshot at the first read.
            self.connection = self.engine.connect()
            self.connection.exec_driver_sql("BEGIN")
        return self.connection

    def __exit__(self, *_exc: object) -> None:
        self.connection.rollback()
        self.connection.close()


def _write_table(connection: sa.Connection, archive: zipfile.ZipFile, table: sa.Table) -> dict[str, Any]:
    name = f"tables/{table.name}.jsonl"
    digest = hashlib.sha256()
    rows = 0
    query = sa.select(table).order_by(*table.primary_key.columns)
    with archive.open(name, "w") as raw:
        for row in connection.execution_options(yield_per=_BATCH_ROWS).execute(query):
            line = (json.dumps(_encode_row(row._mapping), ensure_ascii=False, sort_keys=True) + "\n").encode()
            digest.update(line)
            raw.write(line)
            rows += 1
    return {
        "name": table.name,
        "file": name,
        "rows": rows,
        "sha256": digest.hexdigest(),
        "columns": [column.name for column in table.columns],
    }


def _encode_row(mapping: Any) -> dict[str, Any]:
    return {key: _encode_value(value) for key, value in mapping.items()}


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # why: SQLite hands back naive times (stored as UTC), PostgreSQL aware ones in the session's
        # zone; both are written as UTC with an explicit offset.
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- restore ----------------------------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise InvalidInput(f"Not a Firmas backup: the archive has no {MANIFEST}.") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise InvalidInput(
            f"Not a Firmas backup of format version {FORMAT_VERSION}: "
            f"{manifest.get('format')!r} version {manifest.get('format_version')!r}."
        )
    return manifest


def restore(session: Session, path: Path) -> BackupSummary:
    """Load the archive at `path` into an empty database at the archive's schema revision.

    Raises InvalidInput for an archive that is not a Firmas backup, whose checksums or row counts
    do not match, or whose tables differ from this version's; Conflict when the database is at
    another schema revision or holds any row. Like every service it never commits: the caller's
    one transaction makes the restore all or nothing.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"{path} is not a readable ZIP archive: {exc}") from None
    with archive:
        manifest = read_manifest(archive)
        entries = _entries_by_table(manifest)
        _verify_checksums(archive, entries)
        connection = session.connection()
        _check_target(connection, manifest["schema_revision"])
        for table in Base.metadata.sorted_tables:
            _load_table(connection, table, archive, entries[table.name])
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
        refresh_planner_statistics(connection)
    return BackupSummary(
        manifest["schema_revision"], [TableSummary(entry["name"], entry["rows"]) for entry in manifest["tables"]]
    )


def _entries_by_table(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    entries = {entry["name"]: entry for entry in manifest["tables"]}
    expected = {table.name for table in Base.metadata.sorted_tables}
    if set(entries) != expected:
        missing, extra = sorted(expected - set(entries)), sorted(set(entries) - expected)
        raise InvalidInput(f"The archive's tables differ from this version's: missing {missing}, unknown {extra}.")
    return entries


def _verify_checksums(archive: zipfile.ZipFile, entries: dict[str, dict[str, Any]]) -> None:
    for entry in entries.values():
        digest = hashlib.sha256()
        with archive.open(entry["file"]) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            raise InvalidInput(f"{entry['file']} is damaged: its checksum does not match the manifest.")


def _check_target(connection: sa.Connection, archive_revision: str) -> None:
    revision = schema_revision(connection)
    if revision != archive_revision:
        raise Conflict(
            f"The archive is of schema revision {archive_revision} but the database is at {revision or 'no revision'}; "
            f"migrate an empty database to {archive_revision} (firmas db upgrade {archive_revision}) and restore into it."
        )
    filled = [
        table.name
        for table in Base.metadata.sorted_tables
        if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None
    ]
    if filled:
        raise Conflict(f"Restore needs an empty database, but these tables hold rows: {', '.join(filled)}.")


def _self_references(table: sa.Table) -> list[str]:
    """Columns pointing at their own table (organizations.merged_into_id): filled in a second pass,
    since a row may point at one with a higher id."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _load_table(connection: sa.Connection, table: sa.Table, archive: zipfile.ZipFile, entry: dict[str, Any]) -> None:
    deferred = _self_references(table)
    key = next(iter(table.primary_key.columns))  # tables that point at themselves have a single-column key
    decoders = {column.name: _decoder(column) for column in table.columns}
    later: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    count = 0
    for record in _records(archive, entry["file"]):
        row = {name: decoders[name](value) for name, value in record.items() if name in decoders}
        if deferred and any(row.get(name) is not None for name in deferred):
            later.append({"_pk": row[key.name], **{name: row[name] for name in deferred}})
            row.update(dict.fromkeys(deferred))
        batch.append(row)
        count += 1
        if len(batch) == _BATCH_ROWS:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    if later:
        update = table.update().where(key == sa.bindparam("_pk"))
        connection.execute(update, later)
    if count != entry["rows"]:
        raise InvalidInput(f"{entry['file']} holds {count} rows but the manifest says {entry['rows']}.")


def _records(archive: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with archive.open(name) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def _decoder(column: sa.Column) -> Any:
    stored = getattr(column.type, "impl_instance", column.type)  # the type under a TypeDecorator
    if isinstance(stored, sa.DateTime):
        return lambda value: None if value is None else dt.datetime.fromisoformat(value)
    if isinstance(stored, sa.Date):
        return lambda value: None if value is None else dt.date.fromisoformat(value)
    return lambda value: value


def _advance_sequences(connection: sa.Connection) -> None:
    """Point each serial id's sequence past the largest restored id, so the next insert works."""
    for table in Base.metadata.sorted_tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, sa.Integer) and column.autoincrement in (True, "auto"):
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence(:table, :column), COALESCE(MAX({column.name}), 1), "
                        f"MAX({column.name}) IS NOT NULL) FROM {table.name}"
                    ),
                    {"table": table.name, "column": column.name},
                )
