"""BENCH ONLY: bulk-load the generated signatures CSV into a fresh Firmas database, fast.

Not the importer: no review, no audit, no file validation, one process-local pass with dicts.
It resolves names the way the importer does (exact printed text, then match key, else a new
organization described by `identity.describe_new_organization`) and writes with SQLAlchemy Core
executemany, so the read-API benchmark gets 1,000,000 lines in a minute or two instead of hours.

    python bench/api_load.py --csv bench/out/signatures.csv --db bench/out/api.db
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import migrate, names  # noqa: E402
from app.csvio import parse_date  # noqa: E402
from app.models import Organization, PrintedName, SignatureLine, Statement, StatementUrl, utcnow  # noqa: E402
from app.services import signing_stats  # noqa: E402
from app.services.identity import OrganizationHints, describe_new_organization  # noqa: E402
from app.sectors import infer_sector  # noqa: E402
from app.settings import Settings  # noqa: E402

BATCH = 20_000


class Loader:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.now = utcnow()
        self.statement_ids: dict[tuple[str, str, str], int] = {}
        self.statement_slugs: set[str] = set()
        self.name_ids: dict[str, tuple[int, int]] = {}  # printed text -> (printed name id, organization id)
        self.key_orgs: dict[str, int] = {}
        self.org_slugs: set[str] = set()
        self.pending: dict[str, list[dict]] = {"organizations": [], "printed_names": [], "signature_lines": []}
        self.on_statement: dict[int, set[int]] = {}
        self.sort_order: dict[int, int] = {}

    def statement(self, row: dict[str, str]) -> int:
        # as the importer: a URL identifies a statement, else its title and date
        key = (row["statement_url"], "", "") if row["statement_url"] else ("", row["statement_title"], row["statement_date"])
        found = self.statement_ids.get(key)
        if found is not None:
            return found
        parsed = parse_date(row["statement_date"])
        slug = names.first_free_slug(names.slugify(row["statement_title"]), self.statement_slugs)
        self.statement_slugs.add(slug)
        statement_id = len(self.statement_ids) + 1
        self.conn.execute(
            sa.insert(Statement),
            [{
                "id": statement_id, "slug": slug, "title": row["statement_title"], "kind": "joint_statement",
                "published_on": parsed.value if parsed else None, "date_precision": parsed.precision if parsed else None,
                "language": None, "addressees": [], "created_at": self.now,
            }],
        )
        if row["statement_url"]:
            self.conn.execute(sa.insert(StatementUrl), [{"statement_id": statement_id, "url": row["statement_url"]}])
        self.statement_ids[key] = statement_id
        return statement_id

    def printed_name(self, row: dict[str, str]) -> tuple[int, int]:
        text = names.normalize_whitespace(row["organization"])
        found = self.name_ids.get(text)
        if found is not None:
            return found
        key = names.match_key(text)
        organization_id = self.key_orgs.get(key)
        if organization_id is None:
            organization_id = len(self.key_orgs) + 1
            hints = OrganizationHints(region=row.get("region") or None, acronym=row.get("acronym") or None)
            fields = describe_new_organization(text, hints)
            slug = names.first_free_slug(names.slugify(fields["name"]), self.org_slugs)
            self.org_slugs.add(slug)
            self.pending["organizations"].append(
                fields | {"id": organization_id, "slug": slug, "sector": infer_sector(fields["name"]).sector, "sector_source": "inferred",
                          "merged_into_id": None, "created_at": self.now}
            )
            self.key_orgs[key] = organization_id
        name_id = len(self.name_ids) + 1
        self.pending["printed_names"].append({
            "id": name_id, "text": text, "match_key": key, "key_version": names.MATCH_KEY_VERSION,
            "search_text": names.search_text(text), "organization_id": organization_id, "created_at": self.now,
        })
        self.name_ids[text] = (name_id, organization_id)
        return name_id, organization_id

    def line(self, row: dict[str, str]) -> None:
        statement_id = self.statement(row)
        name_id, organization_id = self.printed_name(row)
        seen = self.on_statement.setdefault(statement_id, set())
        order = self.sort_order.get(statement_id, 0) + 1
        self.sort_order[statement_id] = order
        self.pending["signature_lines"].append({
            "statement_id": statement_id, "sort_order": order, "position": row["position"] or "",
            "raw_text": row["organization"], "printed_name_id": name_id, "is_repeat": organization_id in seen,
        })
        seen.add(organization_id)
        if len(self.pending["signature_lines"]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for table, model in (("organizations", Organization), ("printed_names", PrintedName), ("signature_lines", SignatureLine)):
            if self.pending[table]:
                self.conn.execute(sa.insert(model), self.pending[table])
                self.pending[table] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", default="bench/out/signatures.csv")
    parser.add_argument("--db", default="bench/out/api.db")
    args = parser.parse_args()
    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{db}")
    migrate.upgrade(settings)
    started = time.perf_counter()
    engine = sa.create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        loader = Loader(conn)
        with open(args.csv, newline="", encoding="utf-8") as stream:
            for count, row in enumerate(csv.DictReader(stream), start=1):
                loader.line(row)
                if count % 200_000 == 0:
                    print(f"{count:,} lines, {time.perf_counter() - started:.0f} s", flush=True)
        loader.flush()
    with Session(engine) as session, session.begin():
        signing_stats.refresh(session)
        signing_stats.refresh_regions(session)
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    print(
        f"{len(loader.statement_ids):,} statements, {len(loader.key_orgs):,} organizations, "
        f"{len(loader.name_ids):,} printed names in {time.perf_counter() - started:.0f} s -> {db}"
    )


if __name__ == "__main__":
    main()
