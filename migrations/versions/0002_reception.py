"""Reception: applicant kinds, attachments, office hours.

New NOT NULL columns carry server defaults so existing rows upgrade in place.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:45:53.508829
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=255), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['component_id'], ['dossier_component.id'], name=op.f('fk_attachment_component_id_dossier_component')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_attachment_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_attachment_storage_key'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_dossier_id'), ['dossier_id'], unique=False)

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_kind', sa.String(length=20), nullable=False, server_default='person'))
        batch_op.add_column(sa.Column('organisation_name', sa.String(length=255), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('tax_code', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('sets_count', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('return_method', sa.String(length=20), nullable=False, server_default='counter'))
        batch_op.add_column(sa.Column('refusal_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('paused_at', sa.DateTime(), nullable=True))
        batch_op.alter_column('process_version_id',
               existing_type=sa.INTEGER(),
               nullable=True)

    with op.batch_alter_table('dossier_component', schema=None) as batch_op:
        batch_op.add_column(sa.Column('required', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('extra', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('missing_reason', sa.Text(), nullable=False, server_default=''))

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_level', sa.String(length=20), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('application_form', sa.String(length=100), nullable=False, server_default=''))

    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_hours', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('working_weekdays', sa.String(length=20), nullable=False, server_default=''))



def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_column('working_weekdays')
        batch_op.drop_column('office_hours')

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_column('application_form')
        batch_op.drop_column('online_level')

    with op.batch_alter_table('dossier_component', schema=None) as batch_op:
        batch_op.drop_column('missing_reason')
        batch_op.drop_column('extra')
        batch_op.drop_column('required')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.alter_column('process_version_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('paused_at')
        batch_op.drop_column('refusal_reason')
        batch_op.drop_column('return_method')
        batch_op.drop_column('sets_count')
        batch_op.drop_column('tax_code')
        batch_op.drop_column('organisation_name')
        batch_op.drop_column('applicant_kind')

    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_dossier_id'))

    op.drop_table('attachment')
