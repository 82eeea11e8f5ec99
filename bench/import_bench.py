"""Time `firmas import` on the generated file against the plain `sqlite-utils insert --csv` load, in one run.

Measures, each as a separate process: the sqlite-utils anchor; our import into an empty SQLite
database; a re-import of the same file (nothing new); an import into PostgreSQL (a fresh schema);
and, with --suggestions, the import with duplicate suggestions raised for the new organizations.
Wall and CPU seconds and peak RSS come from /usr/bin/time; the machine load from /proc/loadavg.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline_sqlite_utils import default_sqlite_utils, remove_database, timed_load  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIRMAS = ROOT / ".venv" / "bin" / "firmas"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    peak_mb: float | None
    rows: int
    load_before: str
    totals: dict | None = None


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def firmas(database_url: str, *args: str) -> None:
    subprocess.run([str(FIRMAS), *args], env={**os.environ, "DATABASE_URL": database_url}, check=True, capture_output=True)


def timed_import(name: str, database_url: str, csv_path: Path, *extra: str) -> Run:
    """`firmas import` under /usr/bin/time: wall, user+system CPU, peak RSS; totals from --json."""
    load = loadavg()
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing, tempfile.TemporaryFile("w+") as out:
        command = ["/usr/bin/time", "-o", timing.name, "-f", "%e %U %S %M", str(FIRMAS), "import", str(csv_path), "--json", *extra]
        done = subprocess.run(command, env={**os.environ, "DATABASE_URL": database_url}, stdout=out, stderr=subprocess.PIPE, text=True)
        if done.returncode:
            sys.exit(f"{name}: firmas import failed ({done.returncode}):\n{done.stderr[-3000:]}")
        wall, user, system, peak_kb = timing.read().split()[-4:]
        out.seek(0)
        report = json.load(out)
    return Run(name, float(wall), float(user) + float(system), int(peak_kb) / 1024, report["rows_read"], load, report["totals"])


def fresh_sqlite(path: Path) -> str:
    remove_database(path)
    url = f"sqlite:///{path}"
    firmas(url, "db", "upgrade")
    return url


def fresh_postgres(base_url: str, schema: str) -> str:
    engine = sa.create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = f"{base_url}{'&' if '?' in base_url else '?'}options={quote(f'-csearch_path={schema}')}"
    firmas(url, "db", "upgrade")
    return url


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=ROOT / "bench/out/signatures.csv")
    parser.add_argument("--db", type=Path, default=ROOT / "bench/out/import.db", help="SQLite file, recreated")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG), help="'' skips PostgreSQL")
    parser.add_argument("--pg-schema", default="bench_import")
    parser.add_argument("--suggestions", action="store_true", help="also time an import that raises suggestions")
    parser.add_argument("--sqlite-utils", default=default_sqlite_utils())
    parser.add_argument("--rounds", type=int, default=1, help="repeat anchor and imports; medians of the ratios")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        parser.error(f"{args.csv} not found: run bench/generate.py first")
    return args


def one_round(args: argparse.Namespace) -> list[Run]:
    """The anchor, then each import, every one in its own process."""
    runs: list[Run] = []
    load = loadavg()
    anchor_db = args.db.with_name("sqlite_utils.db")
    wall, cpu, rows = timed_load(args.sqlite_utils, anchor_db, args.csv)
    remove_database(anchor_db)
    runs.append(Run(ANCHOR, wall, cpu, None, rows, load))
    print(runs[-1], flush=True)

    url = fresh_sqlite(args.db)
    runs.append(timed_import(FIRST, url, args.csv, "--no-suggestions"))
    print(runs[-1], flush=True)
    runs.append(timed_import(AGAIN, url, args.csv, "--no-suggestions"))
    print(runs[-1], flush=True)
    if args.pg_url:
        pg_url = fresh_postgres(args.pg_url, args.pg_schema)
        runs.append(timed_import(POSTGRES, pg_url, args.csv, "--no-suggestions"))
        print(runs[-1], flush=True)
    if args.suggestions:
        url = fresh_sqlite(args.db)
        runs.append(timed_import("import with suggestions (SQLite)", url, args.csv))
        print(runs[-1], flush=True)
    remove_database(args.db)
    return runs


ANCHOR = "sqlite-utils insert --csv (anchor)"
FIRST = "import into empty SQLite"
AGAIN = "re-import, nothing new (SQLite)"
POSTGRES = "import into empty PostgreSQL"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    size_mb = args.csv.stat().st_size / 1e6
    print(f"{args.csv} ({size_mb:.0f} MB); {os.cpu_count()} CPUs; load {loadavg()}", flush=True)
    rounds = [one_round(args) for _ in range(args.rounds)]

    print("\n| round | run | wall s | CPU s | rows/s (wall) | vs anchor (wall) | peak RSS MB | load before |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for number, runs in enumerate(rounds, 1):
        anchor = runs[0]
        for run in runs:
            peak = f"{run.peak_mb:.0f}" if run.peak_mb else "-"
            print(f"| {number} | {run.name} | {run.wall:.1f} | {run.cpu:.1f} | {run.rows / run.wall:,.0f} "
                  f"| {run.wall / anchor.wall:.2f} | {peak} | {run.load_before} |")

    def ratios(numerator: str, denominator: str) -> list[float]:
        return [by_name(runs, numerator).wall / by_name(runs, denominator).wall for runs in rounds]

    print(f"\nwall ratios per round, and their median (rounds: {len(rounds)}):")
    print(f"  first import / anchor:        {format_ratios(ratios(FIRST, ANCHOR))}")
    print(f"  re-import / first import:     {format_ratios(ratios(AGAIN, FIRST))}")
    if args.pg_url:
        print(f"  PostgreSQL / SQLite:          {format_ratios(ratios(POSTGRES, FIRST))}")
    cpu = [by_name(runs, FIRST).cpu / by_name(runs, ANCHOR).cpu for runs in rounds]
    print(f"  first import / anchor (CPU):  {format_ratios(cpu)}")
    peaks = [run.peak_mb for runs in rounds for run in runs if run.peak_mb]
    print(f"peak RSS of any import: {max(peaks):.0f} MB")
    print(f"first import totals: {by_name(rounds[0], FIRST).totals}")
    print(f"re-import totals: {by_name(rounds[0], AGAIN).totals}")
    return 0


def by_name(runs: list[Run], name: str) -> Run:
    return next(run for run in runs if run.name == name)


def format_ratios(values: list[float]) -> str:
    return f"{', '.join(f'{value:.2f}' for value in values)}  (median {statistics.median(values):.2f})"


if __name__ == "__main__":
    sys.exit(main())
