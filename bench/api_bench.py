"""Read-API benchmark: Firmas vs Datasette on the same 1,000,000-line database, measured with wrk.

Four questions, each asked of both servers in alternation (Firmas, Datasette, Datasette, Firmas…):
(a) name search, (b) organizations of one region, (c) signatories of one statement, (d) statements
signed by one organization. Prints requests/s and p99 per round, the medians, the ratios, and each
server's peak memory (RSS of all its processes).

    DATABASE_URL=sqlite:///$PWD/bench/out/api.db firmas import bench/out/signatures.csv --no-suggestions
    python bench/api_bench.py --rounds 3 --duration 10

Datasette serves a copy of the same file, with FTS5 on organizations.name and an index on
(region_code, name) added by sqlite-utils, and the joins as canned queries; it runs from
$BENCH_VENV (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = Path(os.environ.get("BENCH_VENV", "/work/bench-venv"))
FIRMAS_PORT, DATASETTE_PORT = 8801, 8802
DATASETTE_LEAN = {"_shape": "array", "_nocount": "1", "_nosuggest": "1"}

SIGNATORIES_SQL = """
select o.id, o.slug, o.name, o.acronym, o.country, o.region_code, o.region_source, o.sector
from organizations o
where o.merged_into_id is null and o.id in (
  select sl.organization_id from signature_lines sl where sl.statement_id = :statement_id)
order by o.name, o.id
"""
STATEMENTS_SIGNED_SQL = """
select s.id, s.slug, s.title, s.kind, s.published_on, s.date_precision, s.language
from statements s
where s.id in (
  select sl.statement_id from signature_lines sl where sl.organization_id = :organization_id)
order by coalesce(s.published_on, '0001-01-01') desc, s.id desc
"""


@dataclass(frozen=True)
class Query:
    label: str
    firmas: str
    datasette: str


@dataclass(frozen=True)
class Result:
    rps: float
    p99_ms: float
    errors: int


def choose_parameters(db: Path) -> dict[str, str]:
    """A typical statement (about 100 signatories), organization (about 40 statements) and region."""
    conn = sqlite3.connect(db)
    statement_id = conn.execute(
        "select statement_id from signature_lines group by statement_id having count(*) between 95 and 105 "
        "order by statement_id limit 1"
    ).fetchone()[0]
    organization_id = conn.execute(
        "select sl.organization_id from signature_lines sl "
        "group by sl.organization_id having count(distinct sl.statement_id) between 38 and 42 "
        "order by sl.organization_id limit 1"
    ).fetchone()[0]
    conn.close()
    return {"statement_id": str(statement_id), "organization_id": str(organization_id), "region": "VE-V", "q": "observatorio merida"}


def queries(parameters: dict[str, str]) -> list[Query]:
    firmas = f"http://127.0.0.1:{FIRMAS_PORT}"
    datasette = f"http://127.0.0.1:{DATASETTE_PORT}/bench"
    words = parameters["q"].split()
    return [
        Query(
            "(a) name search",
            f"{firmas}/api/organizations?{urlencode({'q': parameters['q'], 'limit': 100})}",
            f"{datasette}/organizations.json?"
            + urlencode({"_search": " ".join(f"{w}*" for w in words), "_searchmode": "raw", "_sort": "name", "_size": 100} | DATASETTE_LEAN),
        ),
        Query(
            "(b) organizations of one region",
            f"{firmas}/api/organizations?{urlencode({'region': parameters['region'], 'limit': 100})}",
            f"{datasette}/organizations.json?"
            + urlencode({"region_code": parameters["region"], "_sort": "name", "_size": 100} | DATASETTE_LEAN),
        ),
        Query(
            "(c) signatories of one statement",
            f"{firmas}/api/statements/{parameters['statement_id']}/signatories?limit=1000",
            f"{datasette}/signatories.json?" + urlencode({"statement_id": parameters["statement_id"]} | DATASETTE_LEAN),
        ),
        Query(
            "(d) statements signed by one organization",
            f"{firmas}/api/statements?{urlencode({'signatory': parameters['organization_id'], 'limit': 1000})}",
            f"{datasette}/statements_signed.json?" + urlencode({"organization_id": parameters["organization_id"]} | DATASETTE_LEAN),
        ),
    ]


def prepare_datasette_db(source: Path, target: Path) -> Path:
    """A copy of the benchmark database with FTS5 on organization names, and the canned queries."""
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        shutil.copyfile(source, target)
        subprocess.run(
            [str(BENCH_VENV / "bin" / "sqlite-utils"), "enable-fts", str(target), "organizations", "name", "--fts5", "--replace"],
            check=True,
        )
    # why: what a Datasette publisher would add for "organizations of a region, by name"
    subprocess.run(
        [str(BENCH_VENV / "bin" / "sqlite-utils"), "create-index", str(target), "organizations", "region_code", "name", "--if-not-exists"],
        check=True,
    )
    metadata = target.with_suffix(".metadata.json")
    metadata.write_text(json.dumps({"databases": {"bench": {"queries": {
        "signatories": {"sql": SIGNATORIES_SQL},
        "statements_signed": {"sql": STATEMENTS_SIGNED_SQL},
    }}}}))
    return metadata


def start_firmas(db: Path, workers: int) -> subprocess.Popen:
    # why: the benchmark measures capacity; the per-client rate limit would answer 429 instead.
    env = os.environ | {"DATABASE_URL": f"sqlite:///{db}", "RATE_LIMIT_READS": "", "RATE_LIMIT_WRITES": ""}
    command = [
        str(ROOT / ".venv" / "bin" / "uvicorn"), "app.main:create_app", "--factory", "--host", "127.0.0.1",
        "--port", str(FIRMAS_PORT), "--workers", str(workers), "--no-access-log", "--log-level", "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def start_datasette(db: Path, metadata: Path) -> subprocess.Popen:
    # why: -i (immutable) is Datasette's fastest mode for a published, read-only file
    command = [
        str(BENCH_VENV / "bin" / "datasette"), "serve", "-i", str(db), "--host", "127.0.0.1",
        "--port", str(DATASETTE_PORT), "-m", str(metadata),
    ]
    return subprocess.Popen(command, env=os.environ, start_new_session=True, stdout=subprocess.DEVNULL)


def wait_until_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server at {url} did not come up")


def fetch_rows(url: str) -> int:
    with urllib.request.urlopen(url, timeout=60) as response:
        body = json.loads(response.read())
    return len(body["items"]) if isinstance(body, dict) else len(body)


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url: str, duration: int, connections: int) -> Result:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Result(rps=rps, p99_ms=float(value) * _LATENCY_UNITS[unit], errors=failed)


def peak_rss_mb(process: subprocess.Popen) -> float:
    """Sum of the peak resident memory (VmHWM) of the server process and its children."""
    pids = [process.pid] + [
        int(pid) for pid in subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    ]
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kb += int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
    return total_kb / 1024


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "bench/out/api.db")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes for Firmas")
    parser.add_argument("--only", help="run only the queries whose label contains this text")
    args = parser.parse_args()

    datasette_db = args.db.with_name("bench.db")
    metadata = prepare_datasette_db(args.db, datasette_db)
    parameters = choose_parameters(args.db)
    print(f"parameters: {parameters}")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    firmas, datasette = start_firmas(args.db, args.workers), start_datasette(datasette_db, metadata)
    try:
        wait_until_up(f"http://127.0.0.1:{FIRMAS_PORT}/healthz")
        wait_until_up(f"http://127.0.0.1:{DATASETTE_PORT}/bench.json")
        summary = []
        for query in queries(parameters):
            if args.only and args.only not in query.label:
                continue
            rows = (fetch_rows(query.firmas), fetch_rows(query.datasette))
            print(f"\n{query.label}: rows firmas={rows[0]} datasette={rows[1]}\n  {query.firmas}\n  {query.datasette}")
            results: dict[str, list[Result]] = {"firmas": [], "datasette": []}
            for round_number in range(args.rounds):
                order = ["firmas", "datasette"] if round_number % 2 == 0 else ["datasette", "firmas"]
                for name in order:
                    result = run_wrk(query.firmas if name == "firmas" else query.datasette, args.duration, args.connections)
                    results[name].append(result)
                    print(f"  round {round_number + 1} {name:9} {result.rps:8.1f} req/s  p99 {result.p99_ms:7.1f} ms  errors {result.errors}")
            summary.append((query.label, results))
        print(f"\nuptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        print(f"peak RSS: firmas {peak_rss_mb(firmas):.0f} MB ({args.workers} workers + supervisor), datasette {peak_rss_mb(datasette):.0f} MB")
        print("\n| query | Firmas req/s | Datasette req/s | ratio | Firmas p99 ms | Datasette p99 ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, results in summary:
            ours = statistics.median(r.rps for r in results["firmas"])
            theirs = statistics.median(r.rps for r in results["datasette"])
            ours_p99 = statistics.median(r.p99_ms for r in results["firmas"])
            theirs_p99 = statistics.median(r.p99_ms for r in results["datasette"])
            print(f"| {label} | {ours:.0f} | {theirs:.0f} | {ours / theirs:.2f}× | {ours_p99:.1f} | {theirs_p99:.1f} |")
    finally:
        stop(firmas)
        stop(datasette)


if __name__ == "__main__":
    sys.exit(main())
