"""Load the statements shipped in seed/: one TOML metadata file and one import-format CSV each,
through the same import as any other file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.services.bulk import StatementExtras, StatementReport
from app.services.importer import ImportOptions, run_import

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "seed"
SEED_ACTOR = "seed"


def import_options(file_name: str, meta: dict[str, Any], country: str | None) -> ImportOptions:
    """The statement's metadata fills what its CSV cannot carry. Suggestions are left to
    `firmas review refresh`, like after any bulk load."""
    extras = StatementExtras(
        kind=meta.get("kind"),
        translator=meta.get("translator"),
        addressees=tuple(meta.get("addressees", [])),
        summary=meta.get("summary"),
        body=(meta.get("body") or "").strip() or None,
        notes=meta.get("notes"),
        slug=meta.get("slug"),
        urls=tuple(meta.get("urls", [])),
    )
    return ImportOptions(
        file_name=file_name,
        encoding="utf-8",
        title=meta["title"],
        date=meta.get("date"),
        language=meta.get("language"),
        country=country,
        suggestions=False,
        extras=extras,
    )


def load(session: Session, directory: Path = SEED_DIR) -> list[StatementReport]:
    """Load every seed statement; idempotent (a second run adds nothing). Flushes, never commits."""
    reports = []
    for meta_path in sorted(directory.glob("*.toml")):
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        csv_path = directory / meta["signatures"]
        options = import_options(csv_path.name, meta["statement"], meta.get("signatory_country"))
        with csv_path.open("rb") as stream:
            record = run_import(session, stream, options=options, actor=SEED_ACTOR)
        report = record.report
        if report["status"] != "applied" or len(report["statements"]) != 1:
            problem = report["errors"][0] if report["errors"] else {"line": None, "reason": "not exactly one statement"}
            raise InvalidInput(f"{csv_path.name} line {problem['line']}: {problem['reason']}", line=problem["line"])
        reports.append(StatementReport(**report["statements"][0]))
    return reports
