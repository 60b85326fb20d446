"""Citizen accounts: the portal's own users, and the dossiers they submitted or follow.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('citizen_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False, server_default=''),
    sa.Column('id_number', sa.String(length=20), nullable=False, server_default=''),
    sa.Column('address', sa.String(length=500), nullable=False, server_default=''),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('email_verified_at', sa.DateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()),
    sa.Column('token_generation', sa.Integer(), nullable=False, server_default='0'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_account')),
    sa.UniqueConstraint('email', name=op.f('uq_citizen_account_email'))
    )
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('citizen_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dossier_citizen_id'), ['citizen_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_dossier_citizen_id_citizen_account'), 'citizen_account', ['citizen_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dossier_citizen_id_citizen_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dossier_citizen_id'))
        batch_op.drop_column('citizen_id')
    op.drop_table('citizen_account')
