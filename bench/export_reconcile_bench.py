"""Bulk downloads and reconciliation against a served database: throughput, server memory, latency.

Starts `firmas serve` on DATABASE (an already imported SQLite file), then, alternating runs:
- each /api/export/* download: rows/s and the server's peak RSS while it streams, against the
  anchor of Python's sqlite3 + csv modules writing the same signature join to /dev/null;
- POST /api/reconcile batches of 10 names (a third of them with a typo): median latency, against
  the anchor of GET /api/organizations?q= (substring search) for the same names.

    python bench/export_reconcile_bench.py bench/out/b200k.db --runs 3
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

EXPORTS = ("signatures.csv", "organizations.csv", "statements.csv", "popolo.json")
ANCHOR_SQL = """
SELECT s.id, s.slug, s.title, s.published_on, l.sort_order, l.position, l.raw_text, p.text, o.id, o.slug,
       o.name, o.region_code, o.region_source, l.is_repeat
FROM signature_lines l JOIN statements s ON s.id = l.statement_id JOIN printed_names p ON p.id = l.printed_name_id
JOIN organizations o ON o.id = p.organization_id ORDER BY s.id, l.sort_order
"""


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def download(client: httpx.Client, path: str, pid: int) -> tuple[float, int, int]:
    """(seconds, bytes, peak server RSS in kB while streaming)."""
    peak, done = [rss_kb(pid)], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak.append(rss_kb(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    size, started = 0, time.perf_counter()
    with client.stream("GET", path) as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            size += len(chunk)
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    return elapsed, size, max(peak)


def anchor_csv(database: Path) -> float:
    started = time.perf_counter()
    with sqlite3.connect(database) as conn, open("/dev/null", "w", newline="") as sink:
        writer = csv.writer(sink)
        for row in conn.execute(ANCHOR_SQL):
            writer.writerow(row)
    return time.perf_counter() - started


def sample_names(database: Path, count: int, rng: random.Random) -> list[str]:
    with sqlite3.connect(database) as conn:
        names = [row[0] for row in conn.execute("SELECT text FROM printed_names ORDER BY id")]
    picked = rng.sample(names, count)
    return [_typo(name, rng) if index % 3 == 0 else name for index, name in enumerate(picked)]


def _typo(name: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    i = rng.choice(letters[1:-1] or letters)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :] if i + 1 < len(name) else name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    firmas = Path(sys.executable).with_name("firmas")
    server = subprocess.Popen(
        [str(firmas), "serve", "--port", str(args.port)],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{args.database.resolve()}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            for _ in range(100):
                try:
                    client.get("/healthz").raise_for_status()
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            rows = {name: _row_count(client, name) for name in EXPORTS if name.endswith(".csv")}
            print(f"server idle RSS: {rss_kb(server.pid) / 1024:.0f} MB; rows: {rows}")
            timings: dict[str, list[float]] = {name: [] for name in (*EXPORTS, "anchor sqlite3+csv")}
            peaks: dict[str, int] = {}
            for _ in range(args.runs):
                timings["anchor sqlite3+csv"].append(anchor_csv(args.database))
                for name in EXPORTS:
                    elapsed, size, peak = download(client, f"/api/export/{name}", server.pid)
                    timings[name].append(elapsed)
                    peaks[name] = max(peaks.get(name, 0), peak)
            anchor = statistics.median(timings["anchor sqlite3+csv"])
            for name, values in timings.items():
                median = statistics.median(values)
                line = f"{name:22s} median {median:7.2f} s  ({median / anchor:4.1f}x anchor)"
                if name in rows:
                    line += f"  {rows[name] / median:9,.0f} rows/s"
                if name in peaks:
                    line += f"  peak server RSS {peaks[name] / 1024:5.0f} MB"
                print(line)
            _bench_reconcile(client, args)
    finally:
        server.terminate()
        server.wait()


def _row_count(client: httpx.Client, name: str) -> int:
    with client.stream("GET", f"/api/export/{name}") as response:
        return sum(1 for _ in csv.reader(response.iter_lines())) - 1


def _bench_reconcile(client: httpx.Client, args: argparse.Namespace) -> None:
    rng = random.Random(1)
    batches = [sample_names(args.database, 10, rng) for _ in range(args.batches)]
    reconcile, search, found = [], [], 0
    for names in batches:
        queries = {f"q{i}": {"query": name, "type": "organization"} for i, name in enumerate(names)}
        started = time.perf_counter()
        answer = client.post("/api/reconcile", data={"queries": json.dumps(queries)}).json()
        reconcile.append(time.perf_counter() - started)
        found += sum(bool(result["result"]) for result in answer.values())
        started = time.perf_counter()
        for name in names:
            client.get("/api/organizations", params={"q": name, "limit": 5}).raise_for_status()
        search.append(time.perf_counter() - started)
    r, s = statistics.median(reconcile), statistics.median(search)
    print(f"reconcile batch of 10   median {r * 1000:7.1f} ms ({r * 100:.1f} ms/query), p90 {statistics.quantiles(reconcile, n=10)[-1] * 1000:.0f} ms; "
          f"{found}/{10 * len(batches)} queries with candidates")
    print(f"anchor: 10 x /api/organizations?q= median {s * 1000:7.1f} ms  (reconcile = {r / s:.1f}x)")


if __name__ == "__main__":
    main()
