"""Load the statements shipped in seed/: one TOML metadata file and one import-format CSV each."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app import csvio
from app.errors import InvalidInput
from app.services.identity import NameResolver, OrganizationHints
from app.services.imports import LineFields, StatementFields, StatementReport, import_statement

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "seed"


def statement_fields(meta: dict[str, Any]) -> StatementFields:
    parsed = csvio.parse_date(meta.get("date"))
    return StatementFields(
        title=meta["title"],
        published_on=parsed.value if parsed else None,
        date_precision=parsed.precision if parsed else None,
        urls=list(meta.get("urls", [])),
        kind=meta.get("kind", "joint_statement"),
        language=meta.get("language"),
        translator=meta.get("translator"),
        addressees=list(meta.get("addressees", [])),
        summary=meta.get("summary"),
        body=(meta.get("body") or "").strip() or None,
        notes=meta.get("notes"),
        slug=meta.get("slug"),
    )


def _signature_lines(csv_path: Path, fields: StatementFields, default_country: str | None) -> list[LineFields]:
    lines = []
    with csv_path.open("rb") as stream:
        for row in csvio.read_csv(stream, encoding="utf-8"):
            if isinstance(row, csvio.RowError):
                raise InvalidInput(f"{csv_path.name} line {row.line}: {row.reason}", line=row.line, field=row.column)
            if row.statement_title and row.statement_title != fields.title:
                raise InvalidInput(
                    f"{csv_path.name} line {row.line}: the title differs from the metadata's.", line=row.line
                )
            hints = OrganizationHints(region=row.region, acronym=row.acronym, country=row.country or default_country)
            lines.append(LineFields(raw_text=row.raw, name=row.organization, position=row.position, hints=hints))
    return lines


def load(session: Session, directory: Path = SEED_DIR) -> list[StatementReport]:
    """Load every seed statement; idempotent (a second run adds nothing). Flushes, never commits."""
    resolver = NameResolver(session)
    reports = []
    for meta_path in sorted(directory.glob("*.toml")):
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        fields = statement_fields(meta["statement"])
        lines = _signature_lines(directory / meta["signatures"], fields, meta.get("signatory_country"))
        reports.append(import_statement(session, fields, lines, resolver=resolver))
    return reports
