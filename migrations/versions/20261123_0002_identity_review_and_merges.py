"""identity review and merges

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 09:28:31.990367
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('review_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_a_id', sa.Integer(), nullable=False, comment='The smaller id.'),
    sa.Column('organization_b_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False, comment='0..1: how likely the two are one organization.'),
    sa.Column('reasons', sa.JSON(), nullable=False, comment='Human-readable evidence for and against.'),
    sa.Column('status', sa.String(length=10), nullable=False, comment="One of ('open', 'same', 'different', 'unsure')."),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('organization_a_id < organization_b_id', name=op.f('ck_review_candidates_ordered_pair')),
    sa.ForeignKeyConstraint(['organization_a_id'], ['organizations.id'], name=op.f('fk_review_candidates_organization_a_id_organizations')),
    sa.ForeignKeyConstraint(['organization_b_id'], ['organizations.id'], name=op.f('fk_review_candidates_organization_b_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_candidates')),
    sa.UniqueConstraint('organization_a_id', 'organization_b_id', name=op.f('uq_review_candidates_organization_a_id_organization_b_id')),
    comment='A suggested duplicate pair and, once a person decides, the decision.'
    )
    with op.batch_alter_table('review_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_candidates_organization_b_id'), ['organization_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_candidates_status'), ['status'], unique=False)

    op.create_table('merges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survivor_id', sa.Integer(), nullable=False),
    sa.Column('merged_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('survivor_before', sa.JSON(), nullable=False, comment='Survivor fields the merge filled in from the merged one, with their old values.'),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['review_candidates.id'], name=op.f('fk_merges_candidate_id_review_candidates')),
    sa.ForeignKeyConstraint(['merged_id'], ['organizations.id'], name=op.f('fk_merges_merged_id_organizations')),
    sa.ForeignKeyConstraint(['survivor_id'], ['organizations.id'], name=op.f('fk_merges_survivor_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merges')),
    comment='One organization merged into another; undone by moving its names back.'
    )
    with op.batch_alter_table('merges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merges_merged_id'), ['merged_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merges_survivor_id'), ['survivor_id'], unique=False)

    op.create_table('merge_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merge_id', sa.Integer(), nullable=False),
    sa.Column('printed_name_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['merge_id'], ['merges.id'], name=op.f('fk_merge_moves_merge_id_merges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['printed_name_id'], ['printed_names.id'], name=op.f('fk_merge_moves_printed_name_id_printed_names')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merge_moves')),
    comment='A printed name a merge moved to the survivor.'
    )
    with op.batch_alter_table('merge_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merge_moves_merge_id'), ['merge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merge_moves_printed_name_id'), ['printed_name_id'], unique=False)

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_evidence', sa.String(length=300), nullable=True, comment='For an inferred region: the words of the name that named the place.'))



def downgrade() -> None:
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('region_evidence')

    with op.batch_alter_table('merge_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merge_moves_printed_name_id'))
        batch_op.drop_index(batch_op.f('ix_merge_moves_merge_id'))

    op.drop_table('merge_moves')
    with op.batch_alter_table('merges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_merges_survivor_id'))
        batch_op.drop_index(batch_op.f('ix_merges_merged_id'))

    op.drop_table('merges')
    with op.batch_alter_table('review_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_candidates_status'))
        batch_op.drop_index(batch_op.f('ix_review_candidates_organization_b_id'))

    op.drop_table('review_candidates')
