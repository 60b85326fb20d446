"""Satisfaction ratings: one per dossier, after its result.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-15 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('satisfaction_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=True),
    sa.Column('overall', sa.SmallInteger(), nullable=False),
    sa.Column('convenience', sa.SmallInteger(), nullable=False),
    sa.Column('timeliness', sa.SmallInteger(), nullable=False),
    sa.Column('attitude', sa.SmallInteger(), nullable=False),
    sa.Column('transparency', sa.SmallInteger(), nullable=False),
    sa.Column('contacts_count', sa.SmallInteger(), nullable=False),
    sa.Column('agencies_count', sa.SmallInteger(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('rated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizen_account.id'],
                            name=op.f('fk_satisfaction_rating_citizen_id_citizen_account')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_satisfaction_rating_dossier_id_dossier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_rating')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_satisfaction_rating_dossier_id'))
    )


def downgrade() -> None:
    op.drop_table('satisfaction_rating')
