"""Tabular exports (CSV) of printed names and review suggestions, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.models import Organization, OrganizationName, PrintedName, ReviewCandidate
from app.services import review

NAME_COLUMNS = ("name", "organization_id", "organization_name", "region_code", "region_source")
CANDIDATE_COLUMNS = ("candidate_id", "name_a", "name_b", "organization_a", "organization_b", "score", "reasons")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Prefix text a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(stream: IO[str], columns: Iterable[str], rows: Iterable[dict[str, Any]], *, delimiter: str = ",") -> None:
    columns = list(columns)
    writer = csv.writer(stream, lineterminator="\n", delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralize(row[column]) for column in columns])


def name_rows(session: Session) -> Iterable[dict[str, Any]]:
    rows = session.execute(
        select(
            PrintedName.text,
            Organization.id,
            Organization.name,
            Organization.region_code,
            Organization.region_source,
        )
        .join(OrganizationName, OrganizationName.printed_name_id == PrintedName.id)
        .join(Organization, Organization.id == OrganizationName.organization_id)
        .order_by(PrintedName.id, Organization.id)
    )
    for text, organization_id, name, region_code, region_source in rows:
        yield {
            "name": text,
            "organization_id": organization_id,
            "organization_name": name,
            "region_code": region_code or "",
            "region_source": region_source or "",
        }


def candidate_rows(session: Session, *, status: str = "open") -> list[dict[str, Any]]:
    """One row per suggestion, best first; each side named by its display name."""
    a, b = aliased(Organization), aliased(Organization)
    rows = session.execute(
        select(ReviewCandidate, a.name, b.name)
        .join(a, a.id == ReviewCandidate.organization_a_id)
        .join(b, b.id == ReviewCandidate.organization_b_id)
        .where(*review.candidate_filter(status))
        .order_by(ReviewCandidate.score.desc(), ReviewCandidate.id)
    )
    return [
        {
            "candidate_id": candidate.id,
            "name_a": name_a,
            "name_b": name_b,
            "organization_a": candidate.organization_a_id,
            "organization_b": candidate.organization_b_id,
            "score": round(candidate.score, 4),
            "reasons": "; ".join(candidate.reasons),
        }
        for candidate, name_a, name_b in rows
    ]
