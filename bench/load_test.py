"""Bounded load test: mixed API reads against a live server at a fixed fraction of its capacity.

    .venv/bin/python bench/load_test.py --duration 300 --fraction 0.8
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:8000 --pid 1234 --rate 150

Without --url it migrates and seeds a temporary SQLite file (or --database-url) and starts
`firmas serve` with rate limits off. With --import-file, imports into the served database run one
after another from the start to the end of the reads; calibration waits until each file has been
imported once. Capacity is measured first (closed loop, --concurrency clients, --calibrate
seconds, imports running) unless --rate is given; then
requests are sent open-loop at fraction x capacity for --duration seconds. Prints one JSON object:
capacity, rate, requests, errors, latency percentiles, the server's RSS (with its workers) at start,
every ten seconds and at the end, and the imports' exit codes and times.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CONNECTIONS = 64
SEARCHES = ["derechos", "humanos", "aqui cabemos", "fundacion", "provea", "venezuela", "red", "mujer", "cpi", "zz"]


def rss_kib(pid: int | None) -> int | None:
    """RSS of the server process and all its descendants (the workers of `firmas serve --workers N`)."""
    if pid is None:
        return None
    total = 0
    for process in [pid, *_descendants(pid)]:
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total or None


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *_descendants(child)]
    return found


def start_server(database_url: str | None, port: int) -> tuple[subprocess.Popen, str, tempfile.TemporaryDirectory]:
    workdir = tempfile.TemporaryDirectory(prefix="firmas-load-")
    url = database_url or f"sqlite:///{workdir.name}/load.db"
    env = {**os.environ, "DATABASE_URL": url, "RATE_LIMIT_READS": "", "RATE_LIMIT_WRITES": ""}
    firmas = [sys.executable, "-c", "from app.cli import main; main()"]
    subprocess.run([*firmas, "db", "upgrade"], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([*firmas, "seed", "--if-empty"], env=env, check=True, cwd=ROOT, capture_output=True)
    log = open(Path(workdir.name) / "server.log", "w")
    server = subprocess.Popen([*firmas, "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base, workdir
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


async def read_targets(client: httpx.AsyncClient) -> list[str]:
    statements = (await client.get("/api/statements", params={"limit": 100})).json()["items"]
    organizations = (await client.get("/api/organizations", params={"limit": 200})).json()["items"]
    targets = ["/api/statements", "/api/merges", "/healthz"]
    targets += [f"/api/statements/{s['slug']}" for s in statements]
    targets += [f"/api/organizations/{o['slug']}" for o in organizations[:50]]
    targets += [f"/api/organizations?q={q}" for q in SEARCHES]
    return targets


async def one_request(
    client: httpx.AsyncClient, path: str, latencies: list[float], errors: list[str], due: float | None = None
) -> None:
    """GET `path`; its latency counts from `due` (when an open-loop schedule meant to send it), so
    time spent waiting for a free connection is not hidden (coordinated omission)."""
    started = time.perf_counter() if due is None else due
    try:
        response = await client.get(path)
        if response.status_code >= 400:
            errors.append(f"{response.status_code} {path}")
    except httpx.HTTPError as error:
        errors.append(f"{type(error).__name__} {path}")
    latencies.append(time.perf_counter() - started)


async def calibrate(client: httpx.AsyncClient, targets: list[str], seconds: float, concurrency: int) -> float:
    """Requests per second the server sustains with `concurrency` clients that never wait."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []

    async def worker() -> None:
        while time.monotonic() < deadline:
            await one_request(client, random.choice(targets), latencies, errors)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies) / seconds


async def open_loop(
    client: httpx.AsyncClient, targets: list[str], rate: float, seconds: float, pid: int | None, connections: int
) -> dict:
    """Requests due at a fixed rate, sent by `connections` senders that take them in order.

    why a queue of our own: handing every due request to httpx at once let its connection pool's
    waiting list grow, and the pool scans that list on every event; after a burst the client spent
    its CPU there and never caught up, which looked like an overloaded server.
    """
    latencies: list[float] = []
    errors: list[str] = []
    rss = [rss_kib(pid)]
    due_requests: asyncio.Queue[float | None] = asyncio.Queue()

    async def sender() -> None:
        while (due := await due_requests.get()) is not None:
            await one_request(client, random.choice(targets), latencies, errors, due)

    senders = [asyncio.create_task(sender()) for _ in range(connections)]
    start = time.monotonic()
    started = time.perf_counter()
    next_rss = start + 10
    sent = 0
    while (now := time.monotonic()) - start < seconds:
        due = int((now - start) * rate) - sent
        for number in range(sent, sent + max(due, 0)):
            due_requests.put_nowait(started + number / rate)
        sent += max(due, 0)
        if now >= next_rss:
            rss.append(rss_kib(pid))
            next_rss += 10
        await asyncio.sleep(0.002)
    for _ in senders:
        due_requests.put_nowait(None)
    await asyncio.gather(*senders)
    rss.append(rss_kib(pid))
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:10],
        "achieved_rate": round(len(latencies) / seconds, 1),
        "latency_ms": {"p50": round(cuts[49] * 1000, 1), "p90": round(cuts[89] * 1000, 1), "p99": round(cuts[98] * 1000, 1),
                       "max": round(max(latencies) * 1000, 1)},
        "rss_kib": {"start": rss[0], "end": rss[-1], "samples": rss},
    }


def server_database_url(args: argparse.Namespace, workdir: tempfile.TemporaryDirectory | None) -> str:
    if args.database_url:
        return args.database_url
    if workdir is None:
        raise SystemExit("--import-file with --url needs --database-url: the import must write to the server's database")
    return f"sqlite:///{workdir.name}/load.db"


async def import_one(path: Path, database_url: str) -> dict:
    """`firmas import` of one file into the served database: its exit code, time and any error."""
    env = {**os.environ, "DATABASE_URL": database_url}
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "from app.cli import main; main()", "import", str(path), "--no-suggestions",
        env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()
    return {"file": path.name, "exit_code": process.returncode, "seconds": round(time.perf_counter() - started, 1),
            "error": stderr.decode()[-500:] if process.returncode else None}  # fmt: skip


async def imports_until(done: asyncio.Event, first_pass: asyncio.Event, files: list[Path], database_url: str) -> list[dict]:
    """Import the files one after another, over and over, until `done`; the import running then
    finishes. `first_pass` is set once every file has been imported: from then on the database
    keeps its size and the imports are re-imports (reading and checking every row, adding nothing)."""
    results: list[dict] = []
    for number, path in enumerate(itertools.cycle(files), 1):
        if done.is_set():
            return results
        results.append(await import_one(path, database_url))
        if number == len(files):
            first_pass.set()


def import_summary(results: list[dict]) -> dict:
    return {
        "runs": len(results),
        "failed": [result for result in results if result["exit_code"]],
        "seconds": [result["seconds"] for result in results],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="A running server; default: start one.")
    parser.add_argument("--pid", type=int, help="The running server's pid, for its RSS.")
    parser.add_argument("--database-url", help="For the server this script starts; default: a temporary SQLite file.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--duration", type=float, default=300)
    parser.add_argument("--calibrate", type=float, default=15, help="Seconds of closed-loop capacity measurement.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--fraction", type=float, default=0.8, help="Share of the measured capacity to send.")
    parser.add_argument("--rate", type=float, help="Requests per second; skips calibration.")
    parser.add_argument("--import-file", type=Path, action="append", default=[],
                        help="A CSV for `firmas import`; repeat for several. They are imported one after another, "
                             "in a cycle, from before calibration (which waits for the first pass) to the end of the reads.")
    args = parser.parse_args()

    server = workdir = None
    base, pid = args.url, args.pid
    if base is None:
        server, base, workdir = start_server(args.database_url, args.port)
        pid = server.pid
    try:
        # why: uvicorn closes a connection idle for 5 s; a client that reuses one at that moment
        # gets "server disconnected" (the keep-alive race of HTTP/1.1), so it lets them go first
        limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS, keepalive_expiry=4)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            targets = await read_targets(client)
            # why: the capacity the rate is a fraction of is the one the server has while imports run
            reads_done, first_pass = asyncio.Event(), asyncio.Event()
            imports = None
            if args.import_file:
                database_url = server_database_url(args, workdir)
                imports = asyncio.create_task(imports_until(reads_done, first_pass, args.import_file, database_url))
                # why: a database still growing would make the capacity measured at its start too high
                await first_pass.wait()
            capacity = None if args.rate else await calibrate(client, targets, args.calibrate, args.concurrency)
            rate = args.rate or capacity * args.fraction
            result = await open_loop(client, targets, rate, args.duration, pid, CONNECTIONS)
            reads_done.set()
            imported = import_summary(await imports) if imports else None
        load = os.getloadavg()
        print(json.dumps({"capacity_rps": capacity and round(capacity, 1), "target_rps": round(rate, 1),
                          "duration_s": args.duration, **result, "import": imported,
                          "loadavg": [round(x, 2) for x in load]}, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
            workdir.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
