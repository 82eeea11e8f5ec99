"""Counts computed the straightforward way, from the rows themselves, to check the stored ones against."""

from __future__ import annotations

import sqlalchemy as sa

# Per region any organization has: its live organizations, and the distinct statements with a line
# whose printed name belongs to an organization of that region.
_REGION_COUNTS = sa.text(
    "SELECT r.region_code,"
    " (SELECT count(*) FROM organizations o"
    "  WHERE o.region_code = r.region_code AND o.merged_into_id IS NULL),"
    " (SELECT count(DISTINCT sl.statement_id) FROM signature_lines sl"
    "  JOIN printed_names pn ON pn.id = sl.printed_name_id"
    "  JOIN organizations o ON o.id = pn.organization_id"
    "  WHERE o.region_code = r.region_code)"
    " FROM (SELECT DISTINCT region_code FROM organizations WHERE region_code IS NOT NULL) r"
)


def live_region_counts(connection: sa.Connection) -> dict[str, tuple[int, int]]:
    """region code -> (organizations, statements), for regions where either is not zero."""
    return {
        code: (organizations, statements)
        for code, organizations, statements in connection.execute(_REGION_COUNTS)
        if organizations or statements
    }
