"""Import a long-format CSV file (many statements, one row per printed line) in one transaction."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from app import csvio
from app.errors import InvalidInput
from app.services.identity import NameResolver, OrganizationHints
from app.services.imports import LineFields, StatementFields, StatementReport, import_statement

StatementKey = tuple[str, str, str]


def _group_rows(path: Path) -> dict[StatementKey, list[csvio.SignatureRow]]:
    groups: dict[StatementKey, list[csvio.SignatureRow]] = {}
    with path.open("rb") as stream:
        for row in csvio.read_csv(stream):
            if isinstance(row, csvio.RowError):
                raise InvalidInput(f"line {row.line}: {row.reason}", line=row.line, field=row.column)
            if not row.statement_title:
                raise InvalidInput(f"line {row.line}: the statement title is empty.", line=row.line, field="statement_title")
            key = (row.statement_title, row.statement_date or "", row.statement_url or "")
            groups.setdefault(key, []).append(row)
    return groups


def import_csv(session: Session, path: Path) -> list[StatementReport]:
    """Every statement in the file with its lines; raises before writing anything on a bad row."""
    resolver = NameResolver(session)
    reports = []
    for (title, date_text, url), rows in _group_rows(path).items():
        parsed = csvio.parse_date(date_text or None)
        fields = StatementFields(
            title=title,
            published_on=parsed.value if parsed else None,
            date_precision=parsed.precision if parsed else None,
            urls=[url] if url else [],
        )
        lines = [
            LineFields(
                raw_text=row.raw,
                name=row.organization,
                position=row.position,
                hints=OrganizationHints(region=row.region, acronym=row.acronym, country=row.country),
            )
            for row in rows
        ]
        reports.append(import_statement(session, fields, lines, resolver=resolver))
    return reports
