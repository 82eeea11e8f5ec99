"""search indexes and stored signing counts for the read API

Word-prefix search over printed names: an FTS5 table kept in step by triggers on SQLite, a GIN
index over the same words on PostgreSQL (both tokenise the folded `search_text` into the same
words). A prefix index over lower-cased acronyms, and the composite indexes behind the list
endpoints. Two derived tables hold each organization's and each statement's counts
(services.signing_stats), filled here from the lines already stored.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = [
    # why: external content keeps one copy of the text; the triggers make every writer (ORM,
    # bulk Core inserts, merges) keep the index in step without knowing it exists.
    "CREATE VIRTUAL TABLE printed_names_fts USING fts5("
    "search_text, content='printed_names', content_rowid='id', tokenize='unicode61', prefix='2 3 4')",
    "CREATE TRIGGER printed_names_fts_insert AFTER INSERT ON printed_names BEGIN "
    "INSERT INTO printed_names_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER printed_names_fts_delete AFTER DELETE ON printed_names BEGIN "
    "INSERT INTO printed_names_fts(printed_names_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER printed_names_fts_update AFTER UPDATE OF search_text ON printed_names BEGIN "
    "INSERT INTO printed_names_fts(printed_names_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO printed_names_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO printed_names_fts(printed_names_fts) VALUES ('rebuild')",
    "CREATE INDEX ix_organizations_acronym_lower ON organizations (lower(acronym))",
]
_SQLITE_DOWN = [
    "DROP INDEX ix_organizations_acronym_lower",
    "DROP TRIGGER printed_names_fts_update",
    "DROP TRIGGER printed_names_fts_delete",
    "DROP TRIGGER printed_names_fts_insert",
    "DROP TABLE printed_names_fts",
]
_POSTGRESQL_UP = [
    "CREATE INDEX ix_printed_names_search_words ON printed_names "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
    'CREATE INDEX ix_organizations_acronym_lower ON organizations (lower(acronym) COLLATE "C")',
]
_POSTGRESQL_DOWN = [
    "DROP INDEX ix_organizations_acronym_lower",
    "DROP INDEX ix_printed_names_search_words",
]


_FILL = [
    "INSERT INTO organization_stats (organization_id, statement_count, first_signed, last_signed) "
    "SELECT pn.organization_id, count(DISTINCT sl.statement_id), min(s.published_on), max(s.published_on) "
    "FROM printed_names pn JOIN signature_lines sl ON sl.printed_name_id = pn.id JOIN statements s ON s.id = sl.statement_id "
    "GROUP BY pn.organization_id",
    "INSERT INTO statement_stats (statement_id, line_count, organization_count) "
    "SELECT sl.statement_id, count(sl.id), count(DISTINCT pn.organization_id) "
    "FROM signature_lines sl JOIN printed_names pn ON pn.id = sl.printed_name_id GROUP BY sl.statement_id",
]


def upgrade() -> None:
    op.create_table('organization_stats',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('statement_count', sa.Integer(), nullable=False, comment='Statements with a line naming it.'),
    sa.Column('first_signed', sa.Date(), nullable=True, comment='Earliest date among those statements.'),
    sa.Column('last_signed', sa.Date(), nullable=True, comment='Latest date among those statements.'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_stats_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_organization_stats')),
    comment='Derived from signature lines by services.signing_stats, so lists never count lines.'
    )
    with op.batch_alter_table('organization_stats', schema=None) as batch_op:
        batch_op.create_index('ix_organization_stats_last_signed_organization_id', ['last_signed', 'organization_id'], unique=False)
        batch_op.create_index('ix_organization_stats_statement_count_organization_id', ['statement_count', 'organization_id'], unique=False)
    op.create_table('statement_stats',
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False, comment='Printed signature lines.'),
    sa.Column('organization_count', sa.Integer(), nullable=False, comment='Distinct organizations among the lines.'),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_stats_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_statement_stats')),
    comment='Derived from signature lines by services.signing_stats.'
    )
    for statement in _FILL:
        op.execute(statement)
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(
            'ix_organizations_region_code_merged_into_id_name', ['region_code', 'merged_into_id', 'name'], unique=False
        )
    with op.batch_alter_table('signature_lines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_signature_lines_printed_name_id_statement_id', ['printed_name_id', 'statement_id'], unique=False
        )
        batch_op.drop_index('ix_signature_lines_printed_name_id')
    for statement in _POSTGRESQL_UP if op.get_bind().dialect.name == 'postgresql' else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in _POSTGRESQL_DOWN if op.get_bind().dialect.name == 'postgresql' else _SQLITE_DOWN:
        op.execute(statement)
    with op.batch_alter_table('signature_lines', schema=None) as batch_op:
        batch_op.create_index('ix_signature_lines_printed_name_id', ['printed_name_id'], unique=False)
        batch_op.drop_index('ix_signature_lines_printed_name_id_statement_id')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index('ix_organizations_region_code_merged_into_id_name')
    op.drop_table('statement_stats')
    with op.batch_alter_table('organization_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_stats_statement_count_organization_id')
        batch_op.drop_index('ix_organization_stats_last_signed_organization_id')
    op.drop_table('organization_stats')
