"""Time `sqlite-utils insert DB signatures CSV --csv` into a fresh database: the plain-table baseline.

The import benchmark compares its rows/s with this load, which stores rows as they are and deduplicates nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_VENV = Path(os.environ.get("BENCH_VENV", "/work/bench-venv"))


def default_sqlite_utils() -> str:
    """The bench virtualenv's sqlite-utils, else the one on PATH."""
    candidate = DEFAULT_VENV / "bin" / "sqlite-utils"
    return str(candidate) if candidate.exists() else shutil.which("sqlite-utils") or str(candidate)


def remove_database(db: Path) -> None:
    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)


def count_rows(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("select count(*) from signatures").fetchone()[0]


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_load(sqlite_utils: str, db: Path, csv_path: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds taken to load `csv_path` into a new `db`, and the rows it holds afterwards.

    why: CPU seconds stay meaningful when other work shares the machine; wall seconds do not.
    """
    remove_database(db)
    cpu_before = children_cpu_seconds()
    started = time.perf_counter()
    # why: output is captured so the progress bar sqlite-utils draws does not garble the report.
    load = subprocess.run(
        [sqlite_utils, "insert", str(db), "signatures", str(csv_path), "--csv"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    cpu = children_cpu_seconds() - cpu_before
    if load.returncode:
        sys.exit(f"sqlite-utils failed ({load.returncode}):\n{load.stderr}")
    return elapsed, cpu, count_rows(db)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=Path("bench/out/signatures.csv"), help="file to load")
    parser.add_argument("--db", type=Path, default=Path("/tmp/x.db"), help="database, deleted before each run")
    parser.add_argument("--runs", type=int, default=3, help="loads to take the median of")
    parser.add_argument("--sqlite-utils", default=default_sqlite_utils(), help="sqlite-utils executable")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        parser.error(f"{args.csv} not found: run bench/generate.py first")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    version = subprocess.run([args.sqlite_utils, "--version"], check=True, capture_output=True, text=True)
    print(f"{version.stdout.strip()}; {args.csv} ({args.csv.stat().st_size / 1e6:.0f} MB) -> {args.db}")
    walls, cpus = [], []
    for run in range(1, args.runs + 1):
        elapsed, cpu, rows = timed_load(args.sqlite_utils, args.db, args.csv)
        walls.append(elapsed)
        cpus.append(cpu)
        print(f"run {run}: {rows:,} rows in {elapsed:.1f} s = {rows / elapsed:,.0f} rows/s ({cpu:.1f} s CPU)")
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"median of {args.runs}: {wall:.1f} s = {rows / wall:,.0f} rows/s", end=" ")
    print(f"({cpu:.1f} s CPU = {rows / cpu:,.0f} rows/s)")
    remove_database(args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
