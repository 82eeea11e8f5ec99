"""registry foundation

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 09:03:42.713492
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False, comment='Who holds it.'),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    comment='Admin tokens; only a SHA-256 hash is stored, the token is shown once.'
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False, comment="Token name, or 'cli' for the command line."),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    comment='Append-only record of every admin action.'
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=1000), nullable=False, comment='Display name.'),
    sa.Column('acronym', sa.String(length=100), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True, comment='ISO 3166-1 alpha-2.'),
    sa.Column('region_code', sa.String(length=10), nullable=True, comment='ISO 3166-2, e.g. VE-N.'),
    sa.Column('region_source', sa.String(length=10), nullable=True, comment="One of ('admin', 'import', 'inferred')."),
    sa.Column('sector', sa.String(length=30), nullable=True, comment="One of ('ngo', 'academic', 'professional_body', 'union', 'religious', 'business', 'government', 'intergovernmental', 'media')."),
    sa.Column('sector_source', sa.String(length=10), nullable=True, comment="One of ('admin', 'import', 'inferred')."),
    sa.Column('merged_into_id', sa.Integer(), nullable=True, comment='Set when merged: the surviving organization.'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['merged_into_id'], ['organizations.id'], name=op.f('fk_organizations_merged_into_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organizations_slug')),
    comment='A real organization; printed names resolve to it.'
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_sector'), ['sector'], unique=False)

    op.create_table('statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False, comment='Stable URL name.'),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False, comment="One of ('joint_statement', 'open_letter', 'agreement', 'report', 'other')."),
    sa.Column('published_on', sa.Date(), nullable=True, comment='First day of the publication period; see date_precision.'),
    sa.Column('date_precision', sa.String(length=5), nullable=True, comment='How much of published_on the source gives: day, month or year.'),
    sa.Column('language', sa.String(length=16), nullable=True, comment='BCP 47 tag of the text kept here.'),
    sa.Column('translator', sa.String(length=300), nullable=True),
    sa.Column('addressees', sa.JSON(), nullable=False, comment='Who the text is addressed to.'),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True, comment="The statement's text, without its signature list."),
    sa.Column('notes', sa.Text(), nullable=True, comment='Provenance remarks, e.g. how the date was established.'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sa.UniqueConstraint('slug', name=op.f('uq_statements_slug')),
    comment='A published text (joint statement, open letter, agreement) with signatories.'
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statements_published_on'), ['published_on'], unique=False)

    op.create_table('printed_names',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False, comment='Verbatim, trimmed of surrounding space.'),
    sa.Column('match_key', sa.String(length=1000), nullable=False, comment='names.match_key(text).'),
    sa.Column('key_version', sa.Integer(), nullable=False, comment='names.MATCH_KEY_VERSION the key was made with.'),
    sa.Column('search_text', sa.String(length=1000), nullable=False, comment='names.search_text(text), for search.'),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_printed_names_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_printed_names')),
    sa.UniqueConstraint('text', name=op.f('uq_printed_names_text')),
    comment='A name exactly as printed on some statement; the catalog of aliases.'
    )
    with op.batch_alter_table('printed_names', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_printed_names_match_key'), ['match_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_printed_names_organization_id'), ['organization_id'], unique=False)

    op.create_table('statement_urls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_urls_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement_urls')),
    sa.UniqueConstraint('url', name=op.f('uq_statement_urls_url')),
    comment='Where a statement is published; a URL identifies its statement on import.'
    )
    with op.batch_alter_table('statement_urls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_urls_statement_id'), ['statement_id'], unique=False)

    op.create_table('signature_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False, comment='Order of the line in the printed list.'),
    sa.Column('position', sa.String(length=20), nullable=False, comment="Printed number as text ('10'); empty when unnumbered."),
    sa.Column('raw_text', sa.Text(), nullable=False, comment='The line exactly as printed or given in the file.'),
    sa.Column('printed_name_id', sa.Integer(), nullable=False),
    sa.Column('is_repeat', sa.Boolean(), nullable=False, comment='The organization already appears on an earlier line of this statement.'),
    sa.ForeignKeyConstraint(['printed_name_id'], ['printed_names.id'], name=op.f('fk_signature_lines_printed_name_id_printed_names')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_signature_lines_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_lines')),
    sa.UniqueConstraint('statement_id', 'printed_name_id', 'position', name=op.f('uq_signature_lines_statement_id_printed_name_id_position')),
    comment="One printed line of a statement's signature list, never rewritten."
    )
    with op.batch_alter_table('signature_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_lines_printed_name_id'), ['printed_name_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('signature_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_lines_printed_name_id'))

    op.drop_table('signature_lines')
    with op.batch_alter_table('statement_urls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_urls_statement_id'))

    op.drop_table('statement_urls')
    with op.batch_alter_table('printed_names', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_printed_names_organization_id'))
        batch_op.drop_index(batch_op.f('ix_printed_names_match_key'))

    op.drop_table('printed_names')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statements_published_on'))

    op.drop_table('statements')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_sector'))
        batch_op.drop_index(batch_op.f('ix_organizations_region_code'))
        batch_op.drop_index(batch_op.f('ix_organizations_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_organizations_country'))

    op.drop_table('organizations')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))

    op.drop_table('audit_events')
    op.drop_table('api_tokens')
