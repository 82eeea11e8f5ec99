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


def share_read(process: subprocess.Popen, path: Path) -> float:
    """How far into `path` the process has read (0 before it opens it), from its file offset.

    why: the loader writes each batch before it reads the next, so past the middle of the file
    about half the lines are written and not committed. On SQLite they may sit in the import's
    page cache rather than the WAL, so the database files cannot tell this.
    """
    size = path.stat().st_size
    for fd in Path(f"/proc/{process.pid}/fd").iterdir():
        try:
            if Path(os.readlink(fd)) == path:
                info = Path(f"/proc/{process.pid}/fdinfo/{fd.name}").read_text()
                return int(info.split("pos:")[1].split()[0]) / size
        except (FileNotFoundError, ProcessLookupError):
            continue
    return 0.0


def test_a_killed_import_leaves_nothing_behind(seeded_url: str, big_file: Path) -> None:
    before = counts(seeded_url)
    process = subprocess.Popen(
        [str(FIRMAS), "import", str(big_file), "--no-suggestions"],
        env={**os.environ, "DATABASE_URL": seeded_url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while share_read(process, big_file) < 0.5:
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
