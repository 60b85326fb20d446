"""Dashboard and warnings: indexes for the per-role figures, the digest log and the job lease.

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-30 18:00:00.000000

The dashboard counts dossiers of a unit (an agency, a counter or a department, each
through its own column): received or finished in the last 12 months, open ones by due
time, and those at the units now by status. Each index starts with that column and
carries what the count reads, so every count is an index-only scan; all but the received
ones are partial, holding only the rows with those statuses.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0004'
branch_labels = None
depends_on = None

FINISHED = "status IN (9, 10)"
OPEN = "status IN (2, 4, 5, 6)"
AT_UNIT = "status IN (1, 2, 4, 5, 6, 9)"

# name, columns, partial condition, included columns (PostgreSQL)
INDEXES = (
    # Received per month, for an agency, a department, a counter.
    ("ix_dossier_agency_received", ["agency_id", "received_at"], None, []),
    ("ix_dossier_department_received", ["department_id", "received_at"], None, []),
    ("ix_dossier_counter_received", ["receiving_unit_id", "received_at"], None, []),
    # Resolved per month and on time or late.
    ("ix_dossier_agency_finished", ["agency_id", "finished_at"], FINISHED, ["due_at"]),
    ("ix_dossier_department_finished", ["department_id", "finished_at"], FINISHED, ["due_at"]),
    ("ix_dossier_counter_finished", ["receiving_unit_id", "finished_at"], FINISHED, ["due_at"]),
    # Open dossiers in due order: due soon, overdue, per department, the warnings list.
    ("ix_dossier_agency_open_due", ["agency_id", "due_at"], OPEN, ["department_id", "status"]),
    ("ix_dossier_department_open_due", ["department_id", "due_at"], OPEN, ["status"]),
    # What is at the units now, by status; at a counter also by channel (online dossiers to receive).
    ("ix_dossier_agency_at_unit", ["agency_id", "status"], AT_UNIT, []),
    ("ix_dossier_department_at_unit", ["department_id", "status"], AT_UNIT, []),
    ("ix_dossier_counter_at_unit", ["receiving_unit_id", "status", "channel"], AT_UNIT, []),
)


def upgrade() -> None:
    for name, columns, where, include in INDEXES:
        condition = sa.text(where) if where else None
        op.create_index(
            name, 'dossier', columns, unique=False,
            postgresql_where=condition, sqlite_where=condition, postgresql_include=include,
        )
    op.create_table('digest_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_digest_sent_user_id_user_account')),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_digest_sent_outbox_message_id_outbox_message')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_sent')),
    sa.UniqueConstraint('kind', 'user_id', 'day', name='uq_digest_sent_kind_user_day')
    )
    op.create_table('job_lease',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('holder', sa.String(length=120), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_lease'))
    )


def downgrade() -> None:
    op.drop_table('job_lease')
    op.drop_table('digest_sent')
    for name, *_ in reversed(INDEXES):
        op.drop_index(name, table_name='dossier')
