"""`firmas backup` and `firmas restore` round-trip every row of every table, across engines."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app import migrate
from app.cli import app as cli
from app.db import make_engine, make_session_factory
from app.models import Base
from app.services import backup, tokens
from app.settings import Settings
from tests.conftest import postgres_url_or_skip
from tests.reliability.builders import every_row, populate

runner = CliRunner()


def new_database(kind: str, name: str, tmp_path: Path, revision: str = "head") -> Settings:
    url = f"sqlite:///{tmp_path / f'{name}.db'}" if kind == "sqlite" else postgres_url_or_skip(f"firmas_{name}")
    settings = Settings(database_url=url)
    migrate.upgrade(settings, revision)
    return settings


def populated(settings: Settings) -> sa.Engine:
    engine = make_engine(settings)
    with make_session_factory(engine)() as session, session.begin():
        populate(session)
    return engine


def run(*args: str):
    return runner.invoke(cli, [str(arg) for arg in args])


@pytest.fixture
def source(tmp_path: Path) -> tuple[Settings, sa.Engine]:
    settings = new_database("sqlite", "source", tmp_path)
    engine = populated(settings)
    yield settings, engine
    engine.dispose()


@pytest.mark.parametrize(
    ("source_kind", "target_kind"), [("sqlite", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite")]
)
def test_restore_gives_back_every_row_of_every_table(source_kind: str, target_kind: str, tmp_path: Path) -> None:
    source = new_database(source_kind, "backup_source", tmp_path)
    target = new_database(target_kind, "backup_target", tmp_path)
    source_engine, target_engine = populated(source), make_engine(target)
    archive = tmp_path / "firmas.zip"

    backed_up = run("--database-url", source.database_url, "backup", archive)
    restored = run("--database-url", target.database_url, "restore", archive)

    assert (backed_up.exit_code, restored.exit_code) == (0, 0), backed_up.output + restored.output
    expected = every_row(source_engine)
    assert all(expected[table] for table in ("merges", "merge_moves", "review_candidates", "api_tokens", "audit_events", "region_stats"))
    assert every_row(target_engine) == expected
    source_engine.dispose()
    target_engine.dispose()


def test_new_rows_after_a_restore_get_fresh_ids(tmp_path: Path, source: tuple[Settings, sa.Engine]) -> None:
    """On PostgreSQL the sequences are moved past the restored ids."""
    target = new_database("postgresql", "backup_sequences", tmp_path)
    archive = tmp_path / "firmas.zip"
    run("--database-url", source[0].database_url, "backup", archive)
    assert run("--database-url", target.database_url, "restore", archive).exit_code == 0
    engine = make_engine(target)
    with make_session_factory(engine)() as session, session.begin():
        token, _ = tokens.create(session, name="after-restore")
    assert token.id == len(every_row(source[1])["api_tokens"]) + 1
    engine.dispose()


def test_the_archive_documents_itself(tmp_path: Path, source: tuple[Settings, sa.Engine]) -> None:
    archive = tmp_path / "firmas.zip"
    assert run("--database-url", source[0].database_url, "backup", archive).exit_code == 0
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        for entry in manifest["tables"]:
            content = opened.read(entry["file"])
            assert hashlib.sha256(content).hexdigest() == entry["sha256"]
            assert len(content.splitlines()) == entry["rows"]
    with source[1].connect() as connection:
        assert manifest["schema_revision"] == backup.schema_revision(connection)
    assert [entry["name"] for entry in manifest["tables"]] == [table.name for table in Base.metadata.sorted_tables]


def test_restore_refuses_a_database_that_holds_rows(tmp_path: Path, source: tuple[Settings, sa.Engine]) -> None:
    archive = tmp_path / "firmas.zip"
    run("--database-url", source[0].database_url, "backup", archive)
    before = every_row(source[1])

    result = run("--database-url", source[0].database_url, "restore", archive)

    assert result.exit_code == 1
    assert "needs an empty database" in result.output
    assert every_row(source[1]) == before


def test_restore_refuses_another_schema_revision(tmp_path: Path, source: tuple[Settings, sa.Engine]) -> None:
    archive = tmp_path / "firmas.zip"
    run("--database-url", source[0].database_url, "backup", archive)
    older = new_database("sqlite", "older", tmp_path, revision="0001")

    result = run("--database-url", older.database_url, "restore", archive)

    assert result.exit_code == 1
    assert "schema revision" in result.output and "at 0001" in result.output


def _rewrite(archive: Path, damaged: Path, change) -> None:
    with zipfile.ZipFile(archive) as original, zipfile.ZipFile(damaged, "w") as copy:
        contents = {name: original.read(name) for name in original.namelist()}
        for name, content in change(contents).items():
            copy.writestr(name, content)


def test_restore_refuses_a_damaged_archive_and_writes_nothing(tmp_path: Path, source: tuple[Settings, sa.Engine]) -> None:
    archive, damaged = tmp_path / "firmas.zip", tmp_path / "damaged.zip"
    run("--database-url", source[0].database_url, "backup", archive)

    def drop_a_line(contents):
        lines = contents["tables/signature_lines.jsonl"].splitlines(keepends=True)
        return contents | {"tables/signature_lines.jsonl": b"".join(lines[1:])}

    _rewrite(archive, damaged, drop_a_line)
    target = new_database("sqlite", "target", tmp_path)

    result = run("--database-url", target.database_url, "restore", damaged)

    assert result.exit_code == 1
    assert "signature_lines.jsonl is damaged" in result.output


def test_a_restore_that_fails_late_leaves_the_database_empty(tmp_path: Path, source: tuple[Settings, sa.Engine]) -> None:
    """A manifest whose last table's count is wrong (checksums kept valid) fails after every other
    table was inserted: the one transaction takes them all back."""
    archive, forged = tmp_path / "firmas.zip", tmp_path / "forged.zip"
    run("--database-url", source[0].database_url, "backup", archive)
    last = Base.metadata.sorted_tables[-1].name

    def miscount_last_table(contents):
        manifest = json.loads(contents["manifest.json"])
        for entry in manifest["tables"]:
            if entry["name"] == last:
                entry["rows"] += 1
        return contents | {"manifest.json": json.dumps(manifest).encode()}

    _rewrite(archive, forged, miscount_last_table)
    target = new_database("sqlite", "target", tmp_path)

    result = run("--database-url", target.database_url, "restore", forged)

    assert result.exit_code == 1 and "the manifest says" in result.output
    engine = make_engine(target)
    assert all(rows == [] for rows in every_row(engine).values())
    engine.dispose()


def test_restore_refuses_a_file_that_is_no_backup(tmp_path: Path) -> None:
    target = new_database("sqlite", "target", tmp_path)
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    result = run("--database-url", target.database_url, "restore", not_zip)
    assert result.exit_code == 1 and "not a readable ZIP archive" in result.output
