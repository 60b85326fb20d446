"""Statistics: indexes for the reports' period bounds (Biểu 06, Mẫu 07, per officer).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

OPEN = "finished_at IS NULL AND status IN (2, 4, 5, 6)"
COMPLETED = "outcome = 'completed'"


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_finished_at', ['finished_at'], unique=False)
        batch_op.create_index('ix_dossier_open', ['received_at'], unique=False,
                              postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.create_index('ix_dossier_department_received', ['department_id', 'received_at'], unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.create_index('ix_task_completed_closed', ['closed_at'], unique=False,
                              postgresql_where=sa.text(COMPLETED), sqlite_where=sa.text(COMPLETED))


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_completed_closed', postgresql_where=sa.text(COMPLETED),
                            sqlite_where=sa.text(COMPLETED))
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_department_received')
        batch_op.drop_index('ix_dossier_open', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
        batch_op.drop_index('ix_dossier_finished_at')
