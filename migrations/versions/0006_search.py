"""Dossier search: trigram and partial indexes, saved searches, files attached to outbox messages.

On PostgreSQL the applicant's folded name gets a pg_trgm GIN index (contains search over
millions of rows) and the dossier code a text_pattern_ops index (prefix search under any
collation). pg_trgm is a trusted extension: the database owner may create it. SQLite skips
both and searches with LIKE.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Open = neither finished nor ended without a result; the same predicate as engine.services.search.
OPEN_PREDICATE = "finished_at IS NULL AND status NOT IN (3, 7, 8, 9, 10)"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.create_table('saved_search',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_saved_search_owner_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search')),
    sa.UniqueConstraint('owner_id', 'name', name=op.f('uq_saved_search_owner_id'))
    )
    op.create_table('outbox_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attachment'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_outbox_message_attachment_id_outbox_attachment'), 'outbox_attachment', ['attachment_id'], ['id']
        )

    op.create_index('ix_dossier_phone', 'dossier', ['phone'], unique=False)
    # Overdue only: open dossiers in due order, with the units the access rule filters on, so that
    # a department's overdue list and its capped count are read from this small index alone.
    op.create_index(
        'ix_dossier_open_due', 'dossier', ['due_at', 'department_id', 'receiving_unit_id', 'agency_id', 'id'], unique=False,
        postgresql_where=sa.text(OPEN_PREDICATE), sqlite_where=sa.text(OPEN_PREDICATE),
    )
    op.create_index('ix_task_completed_by_id', 'task', ['completed_by_id'], unique=False)
    if postgres:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        op.execute('CREATE INDEX ix_dossier_name_trgm ON dossier USING gin (applicant_name_folded gin_trgm_ops)')
        op.execute('CREATE INDEX ix_dossier_code_pattern ON dossier (code text_pattern_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_dossier_code_pattern')
        op.execute('DROP INDEX IF EXISTS ix_dossier_name_trgm')
        # The extension stays: other database objects may use it, and it costs nothing.
    op.drop_index('ix_task_completed_by_id', table_name='task')
    op.drop_index('ix_dossier_open_due', table_name='dossier')
    op.drop_index('ix_dossier_phone', table_name='dossier')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_attachment_id_outbox_attachment'), type_='foreignkey')
        batch_op.drop_column('attachment_id')
    op.drop_table('outbox_attachment')
    op.drop_table('saved_search')
