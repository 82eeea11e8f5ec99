"""Counts computed the straightforward way, from the rows themselves, to check the stored ones against."""

from __future__ import annotations

import sqlalchemy as sa

# Per region any organization has: its live organizations, and the distinct statements with a line
# naming an organization of that region. `{attribution}` joins a line to its organization: the line's
# own column since revision 0006, its printed name's before.
_REGION_COUNTS = (
    "SELECT r.region_code,"
    " (SELECT count(*) FROM organizations o"
    "  WHERE o.region_code = r.region_code AND o.merged_into_id IS NULL),"
    " (SELECT count(DISTINCT sl.statement_id) FROM signature_lines sl"
    "  {attribution}"
    "  WHERE o.region_code = r.region_code)"
    " FROM (SELECT DISTINCT region_code FROM organizations WHERE region_code IS NOT NULL) r"
)
_BY_LINE = "JOIN organizations o ON o.id = sl.organization_id"
_BY_PRINTED_NAME = "JOIN printed_names pn ON pn.id = sl.printed_name_id JOIN organizations o ON o.id = pn.organization_id"


def live_region_counts(connection: sa.Connection) -> dict[str, tuple[int, int]]:
    """region code -> (organizations, statements), for regions where either is not zero."""
    columns = {column["name"] for column in sa.inspect(connection).get_columns("signature_lines")}
    attribution = _BY_LINE if "organization_id" in columns else _BY_PRINTED_NAME
    query = sa.text(_REGION_COUNTS.format(attribution=attribution))
    return {
        code: (organizations, statements)
        for code, organizations, statements in connection.execute(query)
        if organizations or statements
    }
