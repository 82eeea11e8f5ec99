"""Real `firmas serve` processes for tests that need the whole stack (uvicorn, its logs, WAL)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, port: int, *options: str, **environment: str) -> subprocess.Popen:
    """A server on 127.0.0.1:`port` (more `firmas serve` options, such as "--workers", "2", may
    follow), answering once it returns; its output goes to a file (a pipe would fill up and stall
    the server during a long run), read back by `stop_server`."""
    env = {**os.environ, "DATABASE_URL": database_url, **environment}
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port), *options],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log = log
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {stop_server(process)}")


def stop_server(process: subprocess.Popen) -> str:
    """Stop the server (SIGTERM) and return everything it printed."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    process.log.seek(0)
    output = process.log.read()
    process.log.close()
    return output
