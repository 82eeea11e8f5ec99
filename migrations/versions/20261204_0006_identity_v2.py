"""identity v2: lines carry their attribution and evidence; homonyms; splits

Signature lines get `organization_id` (the organization each names now, taken from its printed
name) and the evidence of their file (region, country, acronym as given). Printed names become a
global catalog of verbatim texts: `printed_names.organization_id` goes, and `organization_names`
(derived from the lines) says which names each organization was printed as. Merge moves record
lines instead of printed names; splits and their moves are new.

v1 kept the region a file gave per organization, not per line: the lines of an organization whose
region came from an import carry that region as their evidence (`region_code` set, the verbatim
cell `given_region` empty, since v1 did not keep it), and likewise its country; lines a merge moved
carry the merged organization's. An organization whose lines so disagree shows the conflict.

A v1 merge that was not undone moved its printed names and, on undo, would also have moved back
names imported later that matched them only by key: both become line moves here, so its undo
returns exactly what v1's would have.

Downgrade maps each printed name back to the organization of most of its lines: homonyms (one text,
several organizations) and splits of single lines cannot be told apart in v1 and are lost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_TRIGGERS = [
    "CREATE TRIGGER printed_names_fts_insert AFTER INSERT ON printed_names BEGIN "
    "INSERT INTO printed_names_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER printed_names_fts_delete AFTER DELETE ON printed_names BEGIN "
    "INSERT INTO printed_names_fts(printed_names_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER printed_names_fts_update AFTER UPDATE OF search_text ON printed_names BEGIN "
    "INSERT INTO printed_names_fts(printed_names_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO printed_names_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
_DROP_FTS_TRIGGERS = [
    "DROP TRIGGER IF EXISTS printed_names_fts_insert",
    "DROP TRIGGER IF EXISTS printed_names_fts_delete",
    "DROP TRIGGER IF EXISTS printed_names_fts_update",
]

# (table, comment in v2, comment in v1); SQLite keeps no comments.
_TABLE_COMMENTS = [
    ("printed_names", "A name exactly as printed on some statement: the catalog of verbatim texts, shared by homonyms.",
     "A name exactly as printed on some statement; the catalog of aliases."),
    ("signature_lines", "One printed line of a statement's signature list: its text and evidence are never rewritten.",
     "One printed line of a statement's signature list, never rewritten."),
    ("merges", "One organization merged into another; undone by moving its lines back.",
     "One organization merged into another; undone by moving its names back."),
]

_FILL_LINES = [
    "UPDATE signature_lines SET organization_id = "
    "(SELECT pn.organization_id FROM printed_names pn WHERE pn.id = signature_lines.printed_name_id)",
    "UPDATE signature_lines SET region_code = "
    "(SELECT o.region_code FROM organizations o WHERE o.id = signature_lines.organization_id) "
    "WHERE organization_id IN (SELECT id FROM organizations WHERE region_source = 'import' AND region_code IS NOT NULL)",
    "UPDATE signature_lines SET country = "
    "(SELECT o.country FROM organizations o WHERE o.id = signature_lines.organization_id) "
    "WHERE organization_id IN (SELECT id FROM organizations WHERE country_source = 'import' AND country IS NOT NULL)",
]
_FILL_ORGANIZATIONS = [
    # why: v1 took a country from the file (its country cell, or the region code it gave) or from the
    # region inferred from the name; only the latter is inference.
    "UPDATE organizations SET country_source = CASE "
    "WHEN country IS NULL THEN NULL "
    "WHEN region_source = 'inferred' AND country = substr(region_code, 1, 2) THEN 'inferred' "
    "ELSE 'import' END",
]
_FILL_NAMES = (
    "INSERT INTO organization_names (organization_id, printed_name_id, line_count) "
    "SELECT organization_id, printed_name_id, count(*) FROM signature_lines GROUP BY organization_id, printed_name_id"
)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    # why: plain ADD COLUMN, not batch mode: a rebuilt table would lose SQLite's expression index
    # on lower(acronym), which batch mode cannot reflect.
    op.add_column('organizations', sa.Column('region_conflict', sa.JSON(), nullable=True, comment='When the files disagree: every place code their lines gave (regions, or countries); else null.'))
    op.add_column('organizations', sa.Column('country_source', sa.String(length=10), nullable=True, comment="One of ('admin', 'import', 'inferred')."))
    op.add_column('organizations', sa.Column('name_source', sa.String(length=10), nullable=False, server_default='printed', comment="One of ('printed', 'admin'): derived from its printed names, or set by an admin."))
    op.add_column('organizations', sa.Column('legal_form', sa.String(length=100), nullable=True, comment='A legal form printed with the name (A.C., S.C.), kept apart from it.'))
    op.add_column('review_candidates', sa.Column('origin', sa.String(length=10), nullable=False, server_default='similar', comment="One of ('similar', 'homonym'): raised by the names' similarity, or by an import that kept same-named organizations apart."))
    for statement in _FILL_ORGANIZATIONS:
        op.execute(statement)
    _mark_admin_names(bind)

    with op.batch_alter_table('signature_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True, comment='The organization this line names now; merges and splits move it.'))
        batch_op.add_column(sa.Column('import_id', sa.Integer(), nullable=True, comment='The import that added the line (null: before imports were recorded).'))
        batch_op.add_column(sa.Column('given_region', sa.String(length=200), nullable=True, comment="The region cell of the line's row, verbatim."))
        batch_op.add_column(sa.Column('region_code', sa.String(length=10), nullable=True, comment='ISO 3166-2 code of given_region.'))
        batch_op.add_column(sa.Column('given_country', sa.String(length=100), nullable=True, comment="The country cell of the line's row, verbatim."))
        batch_op.add_column(sa.Column('country', sa.String(length=2), nullable=True, comment="ISO 3166-1 code the import gave the line (its country cell, or the import's country option)."))
        batch_op.add_column(sa.Column('given_acronym', sa.String(length=100), nullable=True, comment="The acronym cell of the line's row, verbatim."))
    for statement in _FILL_LINES:
        op.execute(statement)
    with op.batch_alter_table('signature_lines', schema=None) as batch_op:
        batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_signature_lines_organization_id_organizations'), 'organizations', ['organization_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_signature_lines_import_id_imports'), 'imports', ['import_id'], ['id'])
        batch_op.create_index('ix_signature_lines_organization_id_statement_id', ['organization_id', 'statement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signature_lines_import_id'), ['import_id'], unique=False)
        batch_op.drop_index('ix_signature_lines_printed_name_id_statement_id')

    op.create_table('organization_names',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('printed_name_id', sa.Integer(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False, comment='Lines of this organization printed with this name.'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_names_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['printed_name_id'], ['printed_names.id'], name=op.f('fk_organization_names_printed_name_id_printed_names')),
    sa.PrimaryKeyConstraint('organization_id', 'printed_name_id', name=op.f('pk_organization_names')),
    comment="Derived from signature lines: the printed names each organization's lines use, and how often."
    )
    with op.batch_alter_table('organization_names', schema=None) as batch_op:
        batch_op.create_index('ix_organization_names_printed_name_id_organization_id', ['printed_name_id', 'organization_id'], unique=False)
    op.execute(_FILL_NAMES)

    _merge_moves_to_lines(bind)

    if sqlite:  # why: batch mode rebuilds the table, and SQLite drops a table's triggers with it
        for statement in _DROP_FTS_TRIGGERS:
            op.execute(statement)
    with op.batch_alter_table('printed_names', schema=None) as batch_op:
        batch_op.drop_index('ix_printed_names_organization_id')
        batch_op.drop_constraint('fk_printed_names_organization_id_organizations', type_='foreignkey')
        batch_op.drop_column('organization_id')
    if sqlite:
        for statement in _FTS_TRIGGERS:
            op.execute(statement)
    if not sqlite:
        for table, new, old in _TABLE_COMMENTS:
            op.create_table_comment(table, new, existing_comment=old)

    op.create_table('splits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False, comment='Where the lines were.'),
    sa.Column('into_id', sa.Integer(), nullable=True, comment='Where they went (null once an undo removed the organization the split created).'),
    sa.Column('into_name', sa.String(length=1000), nullable=False, comment='The name of `into` when the split was made.'),
    sa.Column('created_into', sa.Boolean(), nullable=False, comment='The split created `into` for these lines.'),
    sa.Column('printed_name_id', sa.Integer(), nullable=True, comment='The printed form whose every line moved, when the split named one: later lines printed so follow it.'),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True, comment="Why, in the admin's words."),
    sa.Column('last_line_id', sa.Integer(), nullable=True, comment='The newest line id when the split was made: later lines can follow the moved names back.'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['into_id'], ['organizations.id'], name=op.f('fk_splits_into_id_organizations')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_splits_organization_id_organizations')),
    sa.ForeignKeyConstraint(['printed_name_id'], ['printed_names.id'], name=op.f('fk_splits_printed_name_id_printed_names')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_splits')),
    comment='Signature lines an admin moved from one organization to another; undone by moving them back.'
    )
    with op.batch_alter_table('splits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_splits_into_id'), ['into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_splits_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_splits_printed_name_id'), ['printed_name_id'], unique=False)
    op.create_table('split_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('split_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['signature_lines.id'], name=op.f('fk_split_moves_line_id_signature_lines')),
    sa.ForeignKeyConstraint(['split_id'], ['splits.id'], name=op.f('fk_split_moves_split_id_splits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_split_moves')),
    comment='A signature line a split moved.'
    )
    with op.batch_alter_table('split_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_split_moves_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_split_moves_split_id'), ['split_id'], unique=False)


def _mark_admin_names(bind: sa.Connection) -> None:
    """Organizations an admin renamed (an audit event says so) keep that name as the admin's."""
    events = bind.execute(sa.text("SELECT subject_id, details FROM audit_events WHERE action = 'organization.update'"))
    renamed = set()
    for subject_id, details in events:
        after = _json(details).get("after") or {}
        if "name" in after and subject_id is not None:
            renamed.add(subject_id)
    for organization_id in sorted(renamed):
        bind.execute(sa.text("UPDATE organizations SET name_source = 'admin' WHERE id = :id"), {"id": organization_id})


def _json(value: object) -> dict:
    if isinstance(value, str):
        return json.loads(value or "{}")
    return value if isinstance(value, dict) else {}


def _merge_moves_to_lines(bind: sa.Connection) -> None:
    """merge_moves of printed names become merge_moves of the lines those names (and, for a merge
    not undone, the names that would have followed them back) are printed on."""
    moves = bind.execute(sa.text("SELECT merge_id, printed_name_id FROM merge_moves ORDER BY id")).all()
    merges = {
        row.id: row
        for row in bind.execute(sa.text("SELECT id, survivor_id, merged_id, created_at, undone_at FROM merges")).all()
    }
    moved_names: dict[int, list[int]] = {}
    for merge_id, printed_name_id in moves:
        moved_names.setdefault(merge_id, []).append(printed_name_id)
    last_line_id = bind.execute(sa.text("SELECT coalesce(max(id), 0) FROM signature_lines")).scalar()
    line_moves = []
    for merge_id, merge in sorted(merges.items()):
        names = list(moved_names.get(merge_id, []))
        if merge.undone_at is None:
            names += _names_following(bind, merge, names)
        line_moves += [
            {"merge_id": merge_id, "line_id": line_id}
            for line_id in _lines_printed_with(bind, names)
        ]
    op.drop_table('merge_moves')
    op.create_table('merge_moves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('merge_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['signature_lines.id'], name=op.f('fk_merge_moves_line_id_signature_lines')),
    sa.ForeignKeyConstraint(['merge_id'], ['merges.id'], name=op.f('fk_merge_moves_merge_id_merges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_merge_moves')),
    comment='A signature line a merge moved to the survivor.'
    )
    with op.batch_alter_table('merge_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_merge_moves_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_merge_moves_merge_id'), ['merge_id'], unique=False)
    if line_moves:
        table = sa.table('merge_moves', sa.column('merge_id'), sa.column('line_id'))
        bind.execute(table.insert(), line_moves)
    _evidence_of_merged_lines(bind, merges, moved_names)
    _record_conflicts(bind)
    with op.batch_alter_table('merges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_line_id', sa.Integer(), nullable=True, comment='The newest line id when the merge was made: later lines can follow the moved names back.'))
        batch_op.alter_column('survivor_before', existing_type=sa.JSON(), comment='Survivor fields the merge changed, with their old values.', existing_comment='Survivor fields the merge filled in from the merged one, with their old values.', existing_nullable=False)
    op.execute(sa.text("UPDATE merges SET last_line_id = :last").bindparams(last=last_line_id))


def _evidence_of_merged_lines(bind: sa.Connection, merges: dict[int, sa.Row], moved_names: dict[int, list[int]]) -> None:
    """Lines a v1 merge moved carry the region and country of the organization their file named
    (the merged one), not the survivor's; in a chain of merges, the first merge's."""
    assigned: set[int] = set()
    for merge_id, merge in sorted(merges.items()):
        if merge.undone_at is not None:
            continue
        merged = bind.execute(
            sa.text("SELECT region_code, region_source, country, country_source FROM organizations WHERE id = :id"),
            {"id": merge.merged_id},
        ).one()
        region = merged.region_code if merged.region_source == 'import' else None
        country = merged.country if merged.country_source == 'import' else None
        lines = [line for line in _lines_printed_with(bind, moved_names.get(merge_id, [])) if line not in assigned]
        assigned.update(lines)
        for start in range(0, len(lines), 1000):
            bind.execute(
                sa.text("UPDATE signature_lines SET region_code = :region, country = :country WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"region": region, "country": country, "ids": lines[start : start + 1000]},
            )


def _record_conflicts(bind: sa.Connection) -> None:
    """Organizations whose lines' evidence disagrees (files v1 let overwrite each other) show it."""
    rows = bind.execute(sa.text(
        "SELECT DISTINCT organization_id, region_code FROM signature_lines WHERE region_code IS NOT NULL ORDER BY 1, 2"
    )).all()
    codes: dict[int, list[str]] = {}
    for organization_id, region_code in rows:
        codes.setdefault(organization_id, []).append(region_code)
    for organization_id, found in codes.items():
        if len(found) > 1:
            bind.execute(
                sa.text("UPDATE organizations SET region_conflict = :conflict WHERE id = :id AND region_source <> 'admin'")
                .bindparams(sa.bindparam("conflict", type_=sa.JSON)),
                {"conflict": found, "id": organization_id},
            )


def _names_following(bind: sa.Connection, merge: sa.Row, moved: list[int]) -> list[int]:
    """v1's undo also returned names attached to the survivor after the merge whose key only the
    moved names shared (review._names_following_moved_keys as it was)."""
    if not moved:
        return []
    moved_keys = {
        key for (key,) in bind.execute(
            sa.text("SELECT match_key FROM printed_names WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": moved},
        )
    }
    survivor_names = bind.execute(
        sa.text("SELECT id, match_key, created_at FROM printed_names WHERE organization_id = :survivor"),
        {"survivor": merge.survivor_id},
    ).all()
    later = [row for row in survivor_names if row.id not in moved and _after(row.created_at, merge.created_at)]
    own_keys = {row.match_key for row in survivor_names if row.id not in moved and not _after(row.created_at, merge.created_at)}
    return [row.id for row in later if row.match_key in moved_keys and row.match_key not in own_keys]


def _after(moment: object, reference: object) -> bool:
    return _naive_utc(moment) >= _naive_utc(reference)


def _naive_utc(moment: object) -> dt.datetime:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    assert isinstance(moment, dt.datetime)
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _lines_printed_with(bind: sa.Connection, printed_name_ids: list[int]) -> list[int]:
    if not printed_name_ids:
        return []
    query = sa.text("SELECT id FROM signature_lines WHERE printed_name_id IN :ids ORDER BY id").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    return [line_id for (line_id,) in bind.execute(query, {"ids": printed_name_ids})]


def downgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    with op.batch_alter_table('split_moves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_split_moves_split_id'))
        batch_op.drop_index(batch_op.f('ix_split_moves_line_id'))
    op.drop_table('split_moves')
    with op.batch_alter_table('splits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_splits_printed_name_id'))
        batch_op.drop_index(batch_op.f('ix_splits_organization_id'))
        batch_op.drop_index(batch_op.f('ix_splits_into_id'))
    op.drop_table('splits')

    if not sqlite:
        for table, new, old in _TABLE_COMMENTS:
            op.create_table_comment(table, old, existing_comment=new)
    if sqlite:
        for statement in _DROP_FTS_TRIGGERS:
            op.execute(statement)
    with op.batch_alter_table('printed_names', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
    op.execute(
        "UPDATE printed_names SET organization_id = (SELECT organization_id FROM organization_names o "
        "WHERE o.printed_name_id = printed_names.id ORDER BY line_count DESC, organization_id LIMIT 1)"
    )
    op.execute(
        "UPDATE printed_names SET organization_id = (SELECT min(organization_id) FROM signature_lines sl "
        "WHERE sl.printed_name_id = printed_names.id) WHERE organization_id IS NULL"
    )
    op.execute("DELETE FROM printed_names WHERE organization_id IS NULL")
    with op.batch_alter_table('printed_names', schema=None) as batch_op:
        batch_op.alter_column('organization_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_printed_names_organization_id_organizations', 'organizations', ['organization_id'], ['id'])
        batch_op.create_index('ix_printed_names_organization_id', ['organization_id'], unique=False)
    if sqlite:
        for statement in _FTS_TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO printed_names_fts(printed_names_fts) VALUES ('rebuild')")

    moves = bind.execute(sa.text(
        "SELECT DISTINCT mm.merge_id, sl.printed_name_id FROM merge_moves mm JOIN signature_lines sl ON sl.id = mm.line_id"
    )).all()
    op.drop_table('merge_moves')
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
    if moves:
        table = sa.table('merge_moves', sa.column('merge_id'), sa.column('printed_name_id'))
        bind.execute(table.insert(), [{"merge_id": m, "printed_name_id": p} for m, p in sorted(moves)])
    with op.batch_alter_table('merges', schema=None) as batch_op:
        batch_op.drop_column('last_line_id')
        batch_op.alter_column('survivor_before', existing_type=sa.JSON(), comment='Survivor fields the merge filled in from the merged one, with their old values.', existing_comment='Survivor fields the merge changed, with their old values.', existing_nullable=False)

    with op.batch_alter_table('organization_names', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_names_printed_name_id_organization_id')
    op.drop_table('organization_names')

    with op.batch_alter_table('signature_lines', schema=None) as batch_op:
        batch_op.create_index('ix_signature_lines_printed_name_id_statement_id', ['printed_name_id', 'statement_id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_signature_lines_import_id'))
        batch_op.drop_index('ix_signature_lines_organization_id_statement_id')
        batch_op.drop_constraint(batch_op.f('fk_signature_lines_import_id_imports'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_signature_lines_organization_id_organizations'), type_='foreignkey')
        for column in ('given_acronym', 'country', 'given_country', 'region_code', 'given_region', 'import_id', 'organization_id'):
            batch_op.drop_column(column)
    with op.batch_alter_table('review_candidates', schema=None) as batch_op:
        batch_op.drop_column('origin')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        for column in ('legal_form', 'name_source', 'country_source', 'region_conflict'):
            batch_op.drop_column(column)
    if sqlite:  # why: rebuilding the table loses the expression index, which batch mode cannot reflect
        op.execute("CREATE INDEX IF NOT EXISTS ix_organizations_acronym_lower ON organizations (lower(acronym))")
