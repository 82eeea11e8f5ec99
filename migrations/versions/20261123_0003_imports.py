"""imports: a record of every import attempt and its report

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False, comment="The file's name as given; not a path on the server."),
    sa.Column('file_sha256', sa.String(length=64), nullable=True, comment='SHA-256 of the bytes imported.'),
    sa.Column('file_bytes', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False, comment="Token name, 'cli' or 'seed'; never a token."),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False, comment="One of ('applied', 'dry_run', 'refused')."),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report', sa.JSON(), nullable=False, comment='The import report, as returned.'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports')),
    comment='Every import attempt (applied, dry run or refused) with its report.'
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_file_sha256'), ['file_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_imports_started_at'), ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imports_started_at'))
        batch_op.drop_index(batch_op.f('ix_imports_file_sha256'))

    op.drop_table('imports')
