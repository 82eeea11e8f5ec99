"""Against a real `firmas serve` process: tokens never reach its logs (the request log
included) and a body announced as huge is refused before it is sent."""

from __future__ import annotations

import logging
import socket
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.settings import Settings
from tests.reliability.servers import free_port, start_server, stop_server


@pytest.fixture
def live_server(settings: Settings, seeded: sessionmaker[Session], admin_token: str) -> Iterator[tuple[str, subprocess.Popen]]:
    port = free_port()
    process = start_server(settings.database_url, port, MAX_BODY_BYTES="1000")
    yield f"http://127.0.0.1:{port}", process
    if not process.log.closed:
        stop_server(process)


def _requests_carrying(base: str, token: str) -> list[int]:
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base) as http:
        return [
            http.get("/api/whoami", headers=auth).status_code,
            http.get("/api/whoami", headers={"Authorization": f"Bearer {token}x"}).status_code,
            http.patch("/api/organizations/1", headers=auth, json={"sector": "not-a-sector"}).status_code,
            http.post("/api/merges/999/undo", headers=auth).status_code,
        ]


def test_tokens_never_reach_the_server_log(live_server: tuple[str, subprocess.Popen], admin_token: str) -> None:
    base, process = live_server
    statuses = _requests_carrying(base, admin_token)
    output = stop_server(process)
    assert statuses[:2] == [200, 401]
    assert "GET /api/whoami 200" in output  # the request log was on
    assert admin_token not in output
    assert admin_token.removeprefix("firmas_")[:12] not in output


def test_tokens_never_reach_any_python_logger(
    settings: Settings, seeded: sessionmaker[Session], admin_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every logger at DEBUG, SQL statements and their parameters included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # SQLAlchemy sets its loggers to WARN
    with TestClient(create_app(settings)) as client:
        auth = {"Authorization": f"Bearer {admin_token}"}
        client.get("/api/whoami", headers=auth)
        client.get("/api/whoami", headers={"Authorization": f"Bearer {admin_token}x"})
        client.post("/api/review/refresh", headers=auth)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "SELECT" in logged  # SQL logging was on
    assert admin_token.removeprefix("firmas_")[:12] not in logged


def test_a_body_announced_as_huge_is_refused_before_it_is_sent(live_server: tuple[str, subprocess.Popen], admin_token: str) -> None:
    base, _ = live_server
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"PATCH /api/organizations/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10000000000\r\n"
            + f"Authorization: Bearer {admin_token}\r\n\r\n".encode()
            + b'{"name": "'
        )
        answer = connection.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413")
    assert "application/problem+json" in answer
