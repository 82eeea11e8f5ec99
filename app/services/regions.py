"""Regions with how many organizations are based there and how many statements they signed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import RegionStats
from app.identity.regions import all_regions, region_name


@dataclass(frozen=True, slots=True)
class RegionCount:
    code: str
    name: str | None
    organization_count: int
    statement_count: int


def get_all(session: Session, country: str = "VE") -> list[RegionCount]:
    """Every region of `country` (zero counts included) and any other region organizations have.

    Live organizations only; a statement counts once per region of its signatories. By name.
    The counts are the stored ones (`signing_stats.refresh_regions`).
    """
    stored: dict[str, tuple[int, int]] = {
        code: (organizations, statements)
        for code, organizations, statements in session.execute(
            select(RegionStats.region_code, RegionStats.organization_count, RegionStats.statement_count)
        )
    }
    names = dict(all_regions(country))
    for code in {code for code, (organizations, _) in stored.items() if organizations} - names.keys():
        names[code] = region_name(code)
    return [
        RegionCount(code, name, *stored.get(code, (0, 0)))
        for code, name in sorted(names.items(), key=lambda item: (item[1] is None, item[1] or item[0]))
    ]
