"""`firmas serve` as a service on the internet: bounded request heads, client addresses from
trusted proxies only, JSON logs with request ids, metrics summed over workers, graceful shutdown."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session, sessionmaker

from app.settings import Settings
from tests.reliability.servers import free_port, start_server, stop_server


@pytest.fixture
def serve(settings: Settings, seeded: sessionmaker[Session]) -> Iterator:
    """Start `firmas serve` processes on the suite's database; all are stopped at the end."""
    started = []

    def start(*options: str, **environment: str) -> tuple[str, object]:
        port = free_port()
        process = start_server(settings.database_url, port, *options, **environment)
        started.append(process)
        return f"http://127.0.0.1:{port}", process

    yield start
    for process in started:
        if not process.log.closed:
            stop_server(process)


def raw_exchange(base: str, head: bytes, *, timeout: float = 10) -> tuple[bytes, float]:
    """Send `head` on a fresh connection; what comes back before the server closes, and when."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and b"connection: close" not in answer.lower():
                break
    return answer, time.monotonic() - started


# --- request heads ---------------------------------------------------------------------------------


def test_a_header_over_the_cap_gets_431_and_the_connection_closed(serve) -> None:
    base, _ = serve(MAX_HEADER_BYTES="8192")
    answer, _ = raw_exchange(base, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 431 ")
    assert b"connection: close" in answer
    # A head under the cap is served as before, also on a kept-alive connection.
    with httpx.Client(base_url=base) as http:
        assert [http.get("/healthz", headers={"X-Fill": "a" * 6000}).status_code for _ in range(3)] == [200, 200, 200]


def test_a_head_that_never_ends_is_cut_off_after_the_header_timeout(serve) -> None:
    base, _ = serve(HEADER_TIMEOUT_SECONDS="1")
    answer, seconds = raw_exchange(base, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert 0.9 <= seconds < 5


# --- client addresses ------------------------------------------------------------------------------


def test_x_forwarded_for_from_an_untrusted_client_does_not_change_the_counted_address(serve) -> None:
    """uvicorn alone believes X-Forwarded-For from 127.0.0.1: a new header a request never met the limit."""
    base, _ = serve(RATE_LIMIT_READS="3/minute")
    with httpx.Client(base_url=base) as http:
        statuses = [http.get("/api/statements", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(serve) -> None:
    base, _ = serve(RATE_LIMIT_READS="3/minute", TRUSTED_PROXIES="127.0.0.1", LOG_FORMAT="json")
    with httpx.Client(base_url=base) as http:
        apart = [http.get("/api/statements", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(4)]
        same = [http.get("/api/statements", headers={"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(4)]
    assert apart == [200, 200, 200, 200]
    assert same == [200, 200, 200, 429]


# --- logs and metrics ------------------------------------------------------------------------------


def test_every_request_logs_one_json_line_with_its_request_id(serve) -> None:
    base, process = serve(LOG_FORMAT="json")
    with httpx.Client(base_url=base) as http:
        given = http.get("/api/statements", headers={"X-Request-ID": "probe-1"})
        made = http.get("/api/organizations/no-such-one")
        refused = http.get("/api/statements", headers={"X-Request-ID": "bad id with spaces"})
    output = stop_server(process)
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is JSON
    requests = {line["request_id"]: line for line in lines if line["logger"] == "firmas.request"}
    assert given.headers["x-request-id"] == "probe-1"
    assert len(made.headers["x-request-id"]) == 32
    assert refused.headers["x-request-id"] != "bad id with spaces"
    for response in (given, made, refused):
        line = requests[response.headers["x-request-id"]]
        assert (line["status"], line["path"]) == (response.status_code, response.url.path)
        assert line["duration_ms"] >= 0
    assert requests["probe-1"]["route"] == "/api/statements"
    assert requests[made.headers["x-request-id"]]["route"] == "/api/organizations/{id_or_slug}"


def _counts(base: str) -> dict[tuple[str, str, str], float]:
    text = httpx.get(f"{base}/metrics").text
    (family,) = (family for family in text_string_to_metric_families(text) if family.name == "firmas_http_requests")
    return {
        (sample.labels["method"], sample.labels["route"], sample.labels["status"]): sample.value
        for sample in family.samples
        if sample.name == "firmas_http_requests_total"
    }


def test_metrics_add_up_the_requests_of_every_worker(serve) -> None:
    base, process = serve("--workers", "2", LOG_FORMAT="json", RATE_LIMIT_READS="")
    made = 0
    # why a loop: which worker accepts a connection is the kernel's choice; new connections from
    # several threads reach both within a few rounds.
    while len(_pids_serving(process, "/api/regions")) < 2 and made < 400:
        threads = [threading.Thread(target=httpx.get, args=(f"{base}/api/regions",)) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        made += len(threads)
    assert len(_pids_serving(process, "/api/regions")) == 2
    assert _counts(base)[("GET", "/api/regions", "200")] == made


def _pids_serving(process, path: str) -> set[int]:
    """The worker processes whose log says they answered `path` so far."""
    # why pread: the server writes to the same open file; reading with the shared offset would move it.
    text = os.pread(process.log.fileno(), 1 << 26, 0).decode()
    lines = (json.loads(line) for line in text.splitlines() if line.startswith("{"))
    return {line["pid"] for line in lines if line.get("path") == path}


# --- shutdown --------------------------------------------------------------------------------------


def test_sigterm_lets_the_request_in_flight_finish(serve) -> None:
    """The server is told to stop while a client is still sending its request: the request is
    answered in full, and then the process exits cleanly."""
    base, process = serve()
    body_started = threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield b"queries=" + b"%7B%22q0%22%3A%7B%22query%22%3A%22"
        body_started.set()
        for _ in range(4):
            time.sleep(0.5)
            yield b"derechos%20"
        yield b"%22%7D%7D"

    answers: list[httpx.Response] = []
    sender = threading.Thread(
        target=lambda: answers.append(
            httpx.post(
                f"{base}/api/reconcile", content=slow_body(), timeout=30,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        )
    )  # fmt: skip
    sender.start()
    assert body_started.wait(10)
    time.sleep(0.2)
    process.terminate()
    sender.join(30)
    assert answers and answers[0].status_code == 200
    assert "q0" in answers[0].json()
    # why -SIGTERM: uvicorn re-raises the signal once it has shut down, so the exit status tells
    # a supervisor (systemd counts it a clean stop) why it ended.
    assert process.wait(timeout=30) == -signal.SIGTERM
    assert "Finished server process" in stop_server(process)
