"""The recipes of docs/deploy.md, run as written (with this machine's paths and ports): the
systemd unit and its command, nginx with TLS in front of `firmas serve`, and the restore drill.

Each is skipped where its tool (systemd-analyze, nginx, openssl, PostgreSQL's createdb) is absent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app import migrate
from app.services import seed, tokens
from app.settings import Settings
from tests.conftest import postgres_url_or_skip
from tests.reliability.servers import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy.md"
BIN = Path(sys.executable).parent


def recipe(name: str) -> str:
    """The code block under `<!-- recipe: name -->` in docs/deploy.md."""
    match = re.search(rf"<!-- recipe: {name} -->\n```[a-z]*\n(.*?)```", DEPLOY.read_text(encoding="utf-8"), re.S)
    assert match, f"docs/deploy.md has no recipe {name!r}"
    return match.group(1)


def needs(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def seeded_postgres(schema: str) -> tuple[str, str]:
    """A migrated, seeded schema and an admin token on it."""
    url = postgres_url_or_skip(schema)
    migrate.upgrade(Settings(database_url=url))
    engine = sa.create_engine(Settings(database_url=url).database_url)
    with sa.orm.Session(engine) as session, session.begin():
        seed.load(session)
        _, token = tokens.create(session, name="deploy-admin")
    engine.dispose()
    return url, token


def environment_file(url: str, **changes: str) -> dict[str, str]:
    lines = [line for line in recipe("env").splitlines() if line.strip()]
    values = dict(line.split("=", 1) for line in lines)
    return {**values, "DATABASE_URL": url, **changes}


# --- systemd -----------------------------------------------------------------------------------------


def test_the_systemd_unit_verifies_and_its_command_serves(tmp_path: Path) -> None:
    analyze = needs("systemd-analyze")
    pytest.importorskip("redis").Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
    unit = recipe("systemd").replace("/opt/firmas/.venv/bin/", f"{BIN}/").replace("/etc/firmas/env", str(tmp_path / "env"))
    unit = unit.replace("User=firmas\nGroup=firmas\n", "")  # no such user on a test machine
    (tmp_path / "env").write_text(recipe("env"), encoding="utf-8")
    (tmp_path / "firmas.service").write_text(unit, encoding="utf-8")
    verified = subprocess.run([analyze, "verify", str(tmp_path / "firmas.service")], capture_output=True, text=True)
    problems = [line for line in verified.stderr.splitlines() if "firmas.service" in line]
    assert verified.returncode == 0 and not problems, verified.stderr

    url, _token = seeded_postgres("firmas_deploy_unit")
    command = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
    port = free_port()
    command[command.index("--port") + 1] = str(port)
    env = {**os.environ, **environment_file(url, WORKERS="2")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert _ready(f"http://127.0.0.1:{port}") == 200
    finally:
        process.terminate()
        process.wait(timeout=40)


def _ready(base: str) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"{base}/readyz", timeout=2).status_code
        except httpx.TransportError:
            time.sleep(0.3)
    return 0


# --- nginx ---------------------------------------------------------------------------------------------


def _nginx_config(tmp_path: Path, upstream: int, listen: int) -> Path:
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [needs("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=firmas.example.org",
         "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    site = (
        recipe("nginx")
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
        .replace("listen 443 ssl;", f"listen 127.0.0.2:{listen} ssl;")
        .replace("/etc/ssl/firmas/fullchain.pem", str(certificate))
        .replace("/etc/ssl/firmas/privkey.pem", str(key))
    )
    config = tmp_path / "nginx.conf"
    config.write_text(
        f"worker_processes 1;\nerror_log {tmp_path}/error.log;\npid {tmp_path}/nginx.pid;\n"
        "events { worker_connections 64; }\n"
        f"http {{\naccess_log off;\nclient_body_temp_path {tmp_path};\nproxy_temp_path {tmp_path};\n{site}\n}}\n",
        encoding="utf-8",
    )
    return config


def test_nginx_in_front_passes_the_real_client_and_tls(settings: Settings, seeded, admin_token: str, tmp_path: Path) -> None:
    nginx = needs("nginx")
    upstream, listen = free_port(), free_port()
    server = start_server(
        settings.database_url, upstream,
        TRUSTED_PROXIES="127.0.0.1", PUBLIC_BASE_URL="https://firmas.example.org", LOG_FORMAT="json",
        RATE_LIMIT_READS="3/minute",
    )  # fmt: skip
    config = _nginx_config(tmp_path, upstream, listen)
    proxy = subprocess.Popen([nginx, "-c", str(config), "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
    transport = httpx.HTTPTransport(local_address="127.0.0.3", verify=False)
    try:
        with httpx.Client(base_url=f"https://127.0.0.2:{listen}", transport=transport, headers={"Host": "firmas.example.org"}) as client:
            deadline = time.monotonic() + 10
            while True:
                try:
                    first = client.get("/api/statements", params={"limit": 1}, headers={"X-Forwarded-For": "203.0.113.9"})
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, proxy.stderr.read() if proxy.poll() is not None else "nginx did not answer"
                    time.sleep(0.2)
            spoofed = [client.get("/api/statements", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)]
            form = client.get("/admin/entrar")
            huge = client.get("/healthz", headers={"X-Big": "a" * 65536})
            metrics = client.get("/metrics")
        output = stop_server(server)
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        if not server.log.closed:
            stop_server(server)
    assert first.status_code == 200
    assert first.json()["next"].startswith("https://firmas.example.org/api/statements?")
    assert spoofed == [200, 200, 429]  # one client, whatever it claims
    assert "secure" in form.headers["set-cookie"].lower()
    assert huge.status_code in (400, 431) and metrics.status_code == 403
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    answered = [line for line in lines if line.get("logger") == "firmas.request" and line["path"] == "/api/statements"]
    assert {line["client"] for line in answered} == {"127.0.0.3"}
    assert answered[0]["request_id"] == first.headers["x-request-id"] and len(first.headers["x-request-id"]) == 32


# --- restore drill --------------------------------------------------------------------------------------


def test_the_restore_drill_passes_on_a_backup(tmp_path: Path) -> None:
    needs("createdb")
    url, _token = seeded_postgres("firmas_deploy_drill")
    backups = tmp_path / "backups"
    backups.mkdir()
    subprocess.run([BIN / "firmas", "--database-url", url, "backup", backups / "firmas-2026-11-24.zip"], check=True, capture_output=True)
    drill_db = f"{os.environ.get('FIRMAS_TEST_SCHEMA_PREFIX', '')}firmas_drill"
    script = (
        recipe("drill")
        .replace("/var/backups/firmas", str(backups))
        .replace("/tmp/firmas-drill.zip", str(tmp_path / "drill.zip"))
        .replace("firmas_drill", drill_db)
        .replace("-O firmas ", "-O postgres ")
        .replace("postgresql://firmas@", "postgresql://postgres@")
    )
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}", "PGHOST": "127.0.0.1", "PGUSER": "postgres"}
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "restore drill passed:" in result.stdout
