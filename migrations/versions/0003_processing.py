"""Processing: delegation, comments, extensions, issued documents, the outbox.

New NOT NULL columns on existing tables carry server defaults so rows upgrade in place.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 15:11:41.516876
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['next_attempt_at'], unique=False, postgresql_where=sa.text('sent_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL'))

    op.create_table('document_sequence',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['unit.id'], name=op.f('fk_document_sequence_agency_id_unit')),
    sa.PrimaryKeyConstraint('agency_id', 'year', 'kind', name=op.f('pk_document_sequence'))
    )
    op.create_table('delegation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('principal_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['deputy_id'], ['user_account.id'], name=op.f('fk_delegation_deputy_id_user_account')),
    sa.ForeignKeyConstraint(['principal_id'], ['user_account.id'], name=op.f('fk_delegation_principal_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegation'))
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index('ix_delegation_deputy_period', ['deputy_id', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_principal_id'), ['principal_id'], unique=False)

    op.create_table('dossier_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_name', sa.String(length=255), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_dossier_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_comment_dossier_id_dossier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_comment'))
    )
    with op.batch_alter_table('dossier_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_comment_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('dossier_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('actor_name', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('unit_at_fault', sa.String(length=255), nullable=False),
    sa.Column('previous_due_at', sa.DateTime(), nullable=True),
    sa.Column('new_due_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_dossier_extension_actor_id_user_account')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_extension_dossier_id_dossier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_extension'))
    )
    with op.batch_alter_table('dossier_extension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_extension_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('issued_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('verification_code', sa.String(length=20), nullable=False),
    sa.Column('holder_name', sa.String(length=255), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_by_name', sa.String(length=255), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_issued_document_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_issued_document_issued_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_document')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_issued_document_verification_code'))
    )
    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_document_dossier_id'), ['dossier_id'], unique=False)

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('extension_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('stop_reason', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('result_template', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_person', sa.String(length=255), nullable=False, server_default=''))

    with op.batch_alter_table('task', schema=None) as batch_op:
        # The pool index leaves out assigned rows (the inbox's "nobody holds it" half).
        batch_op.drop_index('ix_task_open_role_unit', postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.create_index('ix_task_open_pool', ['unit_id', 'role'], unique=False, postgresql_where=sa.text('closed_at IS NULL AND assignee_id IS NULL'), sqlite_where=sa.text('closed_at IS NULL AND assignee_id IS NULL'))
        batch_op.add_column(sa.Column('opened_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('opened_from_task_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('outcome', sa.String(length=20), nullable=False, server_default=''))
        batch_op.create_foreign_key(batch_op.f('fk_task_opened_by_id_user_account'), 'user_account', ['opened_by_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_open_pool', postgresql_where=sa.text('closed_at IS NULL AND assignee_id IS NULL'), sqlite_where=sa.text('closed_at IS NULL AND assignee_id IS NULL'))
        batch_op.create_index('ix_task_open_role_unit', ['role', 'unit_id'], unique=False, postgresql_where=sa.text('closed_at IS NULL'), sqlite_where=sa.text('closed_at IS NULL'))
        batch_op.drop_constraint(batch_op.f('fk_task_opened_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('outcome')
        batch_op.drop_column('opened_from_task_id')
        batch_op.drop_column('opened_by_id')

    with op.batch_alter_table('history_event', schema=None) as batch_op:
        batch_op.drop_column('to_person')
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_column('result_template')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('stop_reason')
        batch_op.drop_column('extension_count')

    with op.batch_alter_table('issued_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_document_dossier_id'))

    op.drop_table('issued_document')
    with op.batch_alter_table('dossier_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_extension_dossier_id'))

    op.drop_table('dossier_extension')
    with op.batch_alter_table('dossier_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_comment_dossier_id'))

    op.drop_table('dossier_comment')
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_principal_id'))
        batch_op.drop_index('ix_delegation_deputy_period')

    op.drop_table('delegation')
    op.drop_table('document_sequence')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending', postgresql_where=sa.text('sent_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL'))

    op.drop_table('outbox_message')
