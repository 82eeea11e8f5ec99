"""admin sessions: the admin pages' cookie is an opaque id, no longer the API token

A row per login; the cookie carries a random id and only its SHA-256 is stored, so logging out
(the row deleted) or revoking the token ends the session on every process.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('admin_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False, comment="SHA-256 of the cookie's value."),
    sa.Column('token_id', sa.Integer(), nullable=False, comment='The token logged in with; revoking it ends the session.'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False, comment='Absolute end, whatever the browser keeps.'),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_admin_sessions_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_sessions')),
    sa.UniqueConstraint('session_hash', name=op.f('uq_admin_sessions_session_hash')),
    comment='Logged-in admin pages: the cookie holds a random id, only its SHA-256 is stored.'
    )
    with op.batch_alter_table('admin_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_sessions_token_id'), ['token_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('admin_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_sessions_token_id'))
    op.drop_table('admin_sessions')
