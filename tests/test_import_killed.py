"""A `firmas import` killed mid-way (SIGKILL: no cleanup runs) leaves the database as it was, on both engines."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import migrate
from app.settings import Settings
from tests.conftest import postgres_url_or_skip

ROOT = Path(__file__).resolve().parent.parent
FIRMAS = Path(sys.executable).parent / "firmas"
# why: other checkouts share the PostgreSQL server; the import's connections carry this name.
APP_NAME = f"firmas-killed-{os.getpid()}"
TABLES = ("statements", "statement_urls", "signature_lines", "printed_names", "organizations", "imports")


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "signatures.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "bench/generate.py"), "--lines", "80000", "--statements", "800",
         "--organizations", "8000", "--out", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if not FIRMAS.exists():
        pytest.skip("the firmas entry point is not installed in this environment")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'killed.db'}"
    else:
        url = postgres_url_or_skip("firmas_killed")
    migrate.upgrade(Settings(database_url=url))
    subprocess.run([str(FIRMAS), "seed"], env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True)
    return url


def counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(Settings(database_url=url).database_url)
    try:
        with engine.connect() as conn:
            return {table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}
    finally:
        engine.dispose()


def writing_lines(url: str) -> bool:
    """The import has started writing signature lines (and has not committed: it is still running)."""
    if url.startswith("sqlite"):
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        return wal.exists() and wal.stat().st_size > 1_000_000
    engine = sa.create_engine(Settings(database_url=url).database_url)
    try:
        with engine.connect() as conn:
            query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND query LIKE 'COPY signature_lines%'"
            return conn.execute(sa.text(query), {"name": APP_NAME}).scalar_one() > 0
    finally:
        engine.dispose()


def test_a_killed_import_leaves_nothing_behind(seeded_url: str, big_file: Path) -> None:
    before = counts(seeded_url)
    process = subprocess.Popen(
        [str(FIRMAS), "import", str(big_file), "--no-suggestions"],
        env={**os.environ, "DATABASE_URL": seeded_url, "PGAPPNAME": APP_NAME},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not writing_lines(seeded_url):
            assert process.poll() is None, "the import finished before it could be killed; use a bigger file"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert process.poll() is None
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    assert counts(seeded_url) == before
