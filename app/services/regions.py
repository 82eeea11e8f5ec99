"""Regions with how many organizations are based there and how many statements they signed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.models import Organization, PrintedName, SignatureLine
from app.regions import all_regions, region_name


@dataclass(frozen=True, slots=True)
class RegionCount:
    code: str
    name: str | None
    organization_count: int
    statement_count: int


def get_all(session: Session, country: str = "VE") -> list[RegionCount]:
    """Every region of `country` (zero counts included) and any other region organizations have.

    Live organizations only; a statement counts once per region of its signatories. By name.
    """
    organizations = dict(
        session.execute(
            select(Organization.region_code, func.count())
            .where(Organization.merged_into_id.is_(None), Organization.region_code.is_not(None))
            .group_by(Organization.region_code)
        ).all()
    )
    statements = dict(
        session.execute(
            select(Organization.region_code, func.count(distinct(SignatureLine.statement_id)))
            .join(PrintedName, PrintedName.id == SignatureLine.printed_name_id)
            .join(Organization, Organization.id == PrintedName.organization_id)
            .where(Organization.region_code.is_not(None))
            .group_by(Organization.region_code)
        ).all()
    )
    names = dict(all_regions(country))
    for code in organizations.keys() - names.keys():
        names[code] = region_name(code)
    return [
        RegionCount(code, name, organizations.get(code, 0), statements.get(code, 0))
        for code, name in sorted(names.items(), key=lambda item: (item[1] is None, item[1] or item[0]))
    ]
