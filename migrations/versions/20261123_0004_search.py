"""search indexes for the read API

Word-prefix search over printed names: an FTS5 table kept in step by triggers on SQLite, a GIN
index over the same words on PostgreSQL (both tokenise the folded `search_text` into the same
words). A prefix index over lower-cased acronyms, and the composite indexes behind the list
endpoints.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-23 12:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0002'
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


def upgrade() -> None:
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
