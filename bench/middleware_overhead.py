"""What the request observer (request id, one log line, Prometheus counts; app.api.observe) and
the public-origin guard cost each request, on a cheap read (GET /api/regions, seed database).

Three measures, each alternating with and without them, round by round:
- the two middlewares alone around an app that answers at once: microseconds they add per
  request (best of the rounds: the machine's noise only ever adds);
- one-thread service time: the ASGI app called directly, one request after another (no network,
  no server), median microseconds per request;
- requests/s through `firmas serve`'s own uvicorn protocol, one worker, measured with wrk, the
  request log written as in production (LOG_FORMAT=json, to /dev/null).

    python bench/middleware_overhead.py --rounds 5 --requests 3000 --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import migrate  # noqa: E402
from app.api.guards import PublicOrigin  # noqa: E402
from app.api.observe import RequestObserver  # noqa: E402
from app.db import make_engine, make_session_factory  # noqa: E402
from app.main import create_app  # noqa: E402
from app.services import seed  # noqa: E402
from app.settings import Settings  # noqa: E402

PATH = "/api/regions"
OBSERVING = (RequestObserver, PublicOrigin)


def settings() -> Settings:
    return Settings(rate_limit_reads="", rate_limit_writes="", log_format="json")


def full_app():
    return create_app(settings())


def bare_app():
    """The same app without the observer and the public-origin guard."""
    app = create_app(settings())
    app.user_middleware = [entry for entry in app.user_middleware if entry.cls not in OBSERVING]
    return app


async def _answer_at_once(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"public, max-age=60")]})
    await send({"type": "http.response.body", "body": b"{}"})  # fmt: skip


def observed(app):
    """`app` wrapped as create_app wraps it: the observer outside the public-origin guard."""
    return RequestObserver(PublicOrigin(app, public_base_url=None))


async def service_time(app, requests: int) -> float:
    """Median microseconds per request, the app driven as uvicorn would drive it."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": PATH, "raw_path": PATH.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        pass

    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        await app(dict(scope), receive, send)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1e6


def requests_per_second(factory: str, port: int, duration: int, database_url: str) -> float:
    env = {**os.environ, "DATABASE_URL": database_url, "RATE_LIMIT_READS": "", "LOG_FORMAT": "json"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port), "--no-access-log",
         "--http", "app.server:BoundedHttpToolsProtocol", "--no-proxy-headers"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(port)
        out = subprocess.run(
            ["wrk", "-t1", "-c8", f"-d{duration}s", f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True, check=True
        ).stdout
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    finally:
        server.terminate()
        server.wait(30)


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=3000, help="per round, for the service time")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per round")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="firmas-overhead-"))
    database_url = f"sqlite:///{folder / 'seed.db'}"
    os.environ["DATABASE_URL"] = database_url
    migrate.upgrade(Settings(database_url=database_url))
    with make_session_factory(make_engine(Settings(database_url=database_url)))() as session, session.begin():
        seed.load(session)

    full, bare = full_app(), bare_app()
    alone: dict[str, list[float]] = {"with": [], "without": []}
    times: dict[str, list[float]] = {"with": [], "without": []}
    rates: dict[str, list[float]] = {"with": [], "without": []}
    for round_number in range(args.rounds):
        order = [("with", full), ("without", bare)] if round_number % 2 == 0 else [("without", bare), ("with", full)]
        for name, app in order:
            times[name].append(asyncio.run(service_time(app, args.requests)))
        for name, wrapped in (("with", observed(_answer_at_once)), ("without", _answer_at_once)):
            alone[name].append(asyncio.run(service_time(wrapped, 20 * args.requests)))
        for name, _app in order:
            factory = f"bench.middleware_overhead:{'full_app' if name == 'with' else 'bare_app'}"
            rates[name].append(requests_per_second(factory, 8811, args.duration, database_url))
        print(f"round {round_number + 1}: service time with {times['with'][-1]:.0f} µs, without {times['without'][-1]:.0f} µs; "
              f"requests/s with {rates['with'][-1]:.0f}, without {rates['without'][-1]:.0f}", flush=True)  # fmt: skip
    added = min(alone["with"]) - min(alone["without"])
    print(f"the middlewares alone: +{added:.1f} µs per request (best of {args.rounds} rounds of {20 * args.requests})")
    with_time, without_time = statistics.median(times["with"]), statistics.median(times["without"])
    with_rate, without_rate = statistics.median(rates["with"]), statistics.median(rates["without"])
    print(f"median service time: with {with_time:.0f} µs, without {without_time:.0f} µs: +{with_time - without_time:.0f} µs per request")
    print(f"median requests/s: with {with_rate:.0f}, without {without_rate:.0f}: {100 * (with_rate / without_rate - 1):+.1f} %")


if __name__ == "__main__":
    main()
