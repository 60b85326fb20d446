"""Staff task alerts: a task row says its holders are still to be told; the outbox job tells them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('alert_pending', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index('ix_task_alert_pending', ['id'], unique=False, postgresql_where=sa.text('alert_pending'), sqlite_where=sa.text('alert_pending'))


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_alert_pending', postgresql_where=sa.text('alert_pending'), sqlite_where=sa.text('alert_pending'))
        batch_op.drop_column('alert_pending')
