"""The `firmas` command: exit codes, output, then what is in the database."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import app
from app.models import ApiToken, SignatureLine, Statement
from app.services import tokens
from app.settings import Settings

runner = CliRunner()


def firmas(settings: Settings, *args: str):
    return runner.invoke(app, ["--database-url", settings.database_url, *args])


def test_every_command_has_help() -> None:
    for command in (["serve"], ["db", "upgrade"], ["db", "downgrade"], ["seed"], ["token", "create"], ["token", "list"], ["token", "revoke"], ["import"], ["review", "refresh"], ["review", "list"], ["review", "decide"], ["merge"], ["unmerge"], ["export", "names"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Example:" in result.output, command


def test_seed_is_idempotent_and_if_empty_skips(settings: Settings, db: sessionmaker[Session]) -> None:
    first = firmas(settings, "seed")
    second = firmas(settings, "seed")
    skipped = firmas(settings, "seed", "--if-empty")
    assert first.exit_code == second.exit_code == skipped.exit_code == 0
    assert "2021-11-joint-statement-icc-criminalization: created, 111 lines added, 0 already present" in first.output
    assert "2021-11-joint-statement-icc-criminalization: present, 0 lines added, 111 already present" in second.output
    assert skipped.output == "Database already holds statements; seed skipped.\n"
    with db() as session:
        assert session.scalar(select(func.count()).select_from(SignatureLine)) == 116


def test_token_create_prints_the_token_once_and_stores_its_hash(settings: Settings, db: sessionmaker[Session]) -> None:
    result = firmas(settings, "token", "create", "ana")
    plaintext = result.stdout.strip()
    assert result.exit_code == 0 and plaintext.startswith("firmas_")
    with db() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert (stored.name, stored.token_hash) == ("ana", tokens.hash_token(plaintext))


def test_token_list_and_revoke(settings: Settings, db: sessionmaker[Session]) -> None:
    firmas(settings, "token", "create", "ana")
    assert firmas(settings, "token", "revoke", "1").exit_code == 0
    listed = firmas(settings, "token", "list")
    assert listed.output.startswith("1\tana\trevoked")
    missing = firmas(settings, "token", "revoke", "99")
    assert (missing.exit_code, missing.output) == (1, "Error: No token with id 99.\n")


def test_import_loads_a_long_format_file_and_refuses_a_bad_date_whole(settings: Settings, db: sessionmaker[Session], tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "statement_title,statement_date,statement_url,organization,position\n"
        "Carta abierta,2022-03-05,https://example.org/carta,Foro Penal,1\n"
        "Carta abierta,2022-03-05,https://example.org/carta,Provea,2\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "statement_title,statement_date,statement_url,organization,position\n"
        "Otra carta,2022-03-05,,Foro Penal,1\n"
        "Otra carta,2022-13-45,,Provea,2\n",
        encoding="utf-8",
    )
    assert firmas(settings, "import", str(good)).exit_code == 0
    refused = firmas(settings, "import", str(bad))
    assert refused.exit_code == 1
    assert "line 3" in refused.output
    with db() as session:
        assert session.scalars(select(Statement.title)).all() == ["Carta abierta"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_installed_entry_point_migrates_seeds_and_serves(tmp_path: Path) -> None:
    """What `make run` does, on a brand-new SQLite file, through the installed `firmas` script."""
    firmas_bin = Path(sys.executable).parent / "firmas"
    if not firmas_bin.exists():
        pytest.skip("the firmas entry point is not installed in this environment")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}"}
    for command in (["db", "upgrade"], ["seed", "--if-empty"]):
        subprocess.run([str(firmas_bin), *command], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen([str(firmas_bin), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = _get_when_up(f"http://127.0.0.1:{port}/api/statements")
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert body["total"] == 4


def _get_when_up(url: str, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
