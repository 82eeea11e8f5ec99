"""stored region counts for the region list

Each region's live organizations and the statements they signed, derived by
services.signing_stats.refresh_regions and filled here from the data already stored: counting
them per request joined every signature line.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same counts as signing_stats._region_counts (keep the two in step).
_FILL = (
    "INSERT INTO region_stats (region_code, organization_count, statement_count) "
    "SELECT region_code, sum(organizations), sum(statements) FROM ("
    "SELECT region_code, count(*) AS organizations, 0 AS statements FROM organizations "
    "WHERE merged_into_id IS NULL AND region_code IS NOT NULL GROUP BY region_code "
    "UNION ALL "
    "SELECT o.region_code, 0, count(DISTINCT sl.statement_id) FROM signature_lines sl "
    "JOIN printed_names pn ON pn.id = sl.printed_name_id JOIN organizations o ON o.id = pn.organization_id "
    "WHERE o.region_code IS NOT NULL GROUP BY o.region_code"
    ") AS counts GROUP BY region_code"
)


def upgrade() -> None:
    op.create_table('region_stats',
    sa.Column('region_code', sa.String(length=10), nullable=False, comment='ISO 3166-2, e.g. VE-N.'),
    sa.Column('organization_count', sa.Integer(), nullable=False, comment='Live organizations based there.'),
    sa.Column('statement_count', sa.Integer(), nullable=False, comment='Statements with a line naming an organization based there.'),
    sa.PrimaryKeyConstraint('region_code', name=op.f('pk_region_stats')),
    comment='Derived by services.signing_stats; a region with nothing to count has no row.'
    )
    op.execute(_FILL)


def downgrade() -> None:
    op.drop_table('region_stats')
