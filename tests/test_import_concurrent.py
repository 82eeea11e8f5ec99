"""Two `firmas import` processes loading overlapping files at the same time create no duplicate
organizations and lose no lines, on both engines: the result equals one import of both files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import migrate
from app.settings import Settings
from tests.conftest import postgres_url_or_skip

ROOT = Path(__file__).resolve().parent.parent
FIRMAS = Path(sys.executable).parent / "firmas"
LINES = "SELECT s.slug, p.text, l.position FROM signature_lines l JOIN statements s ON s.id = l.statement_id JOIN printed_names p ON p.id = l.printed_name_id"


@pytest.fixture(scope="module")
def overlapping_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two files sharing the middle third of one generated file's rows, and that whole file."""
    folder = tmp_path_factory.mktemp("concurrent")
    whole = folder / "whole.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "bench/generate.py"), "--lines", "6000", "--statements", "80",
         "--organizations", "1500", "--out", str(whole)],
        check=True, capture_output=True,
    )  # fmt: skip
    header, *rows = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    third = len(rows) // 3
    first, second = folder / "first.csv", folder / "second.csv"
    first.write_text(header + "".join(rows[: 2 * third]), encoding="utf-8")
    second.write_text(header + "".join(rows[third:]), encoding="utf-8")
    return first, second, whole


def fresh_database(engine_name: str, tmp_path: Path, name: str) -> str:
    if engine_name == "sqlite":
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
    else:
        url = postgres_url_or_skip(f"firmas_{name}")
    migrate.upgrade(Settings(database_url=url))
    return url


def import_processes(url: str, *files: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": url}
    return [
        subprocess.Popen([str(FIRMAS), "import", str(path), "--no-suggestions"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
        for path in files
    ]


def registry(url: str) -> dict[str, object]:
    engine = sa.create_engine(Settings(database_url=url).database_url)
    try:
        with engine.connect() as conn:
            return {
                "lines": sorted(tuple(row) for row in conn.execute(sa.text(LINES))),
                "organizations": conn.execute(sa.text("SELECT count(*) FROM organizations")).scalar_one(),
                "printed names": conn.execute(sa.text("SELECT count(*) FROM printed_names")).scalar_one(),
                "statements": conn.execute(sa.text("SELECT count(*) FROM statements")).scalar_one(),
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_overlapping_imports_at_once_equal_one_import_of_both(engine_name: str, overlapping_files, tmp_path: Path) -> None:
    if not FIRMAS.exists():
        pytest.skip("the firmas entry point is not installed in this environment")
    first, second, whole = overlapping_files
    together = fresh_database(engine_name, tmp_path, "together")
    processes = import_processes(together, first, second)
    outputs = [process.communicate(timeout=300)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs

    alone = fresh_database(engine_name, tmp_path, "alone")
    (single,) = import_processes(alone, whole)
    assert single.wait(timeout=300) == 0

    assert registry(together) == registry(alone)
    assert len(registry(together)["lines"]) == 6000
