"""Online submission: citizens' drafts and their files, and the application submitted with a dossier.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('online_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('receiving_unit_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.Text(), nullable=False, server_default='{}'),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen_account.id'], name=op.f('fk_online_draft_citizen_id_citizen_account')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedure.id'], name=op.f('fk_online_draft_procedure_id_procedure')),
    sa.ForeignKeyConstraint(['receiving_unit_id'], ['unit.id'], name=op.f('fk_online_draft_receiving_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_draft'))
    )
    with op.batch_alter_table('online_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_draft_citizen_id'), ['citizen_id'], unique=False)

    op.create_table('online_draft_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['component.id'], name=op.f('fk_online_draft_file_component_id_component')),
    sa.ForeignKeyConstraint(['draft_id'], ['online_draft.id'], name=op.f('fk_online_draft_file_draft_id_online_draft'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_draft_file')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_online_draft_file_storage_key'))
    )
    with op.batch_alter_table('online_draft_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_online_draft_file_draft_id'), ['draft_id'], unique=False)

    op.create_table('online_application',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.Text(), nullable=False, server_default='{}'),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('resubmitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_online_application_dossier_id_dossier')),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_online_application'))
    )


def downgrade() -> None:
    op.drop_table('online_application')
    with op.batch_alter_table('online_draft_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_online_draft_file_draft_id'))
    op.drop_table('online_draft_file')
    with op.batch_alter_table('online_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_online_draft_citizen_id'))
    op.drop_table('online_draft')
