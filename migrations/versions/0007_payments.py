"""Payments: fee requests, payments (online and cash), and the test SMS gateway's log.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fee_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=255), nullable=False),
    sa.Column('previous_status', sa.Integer(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_fee_request_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_fee_request_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_request'))
    )
    with op.batch_alter_table('fee_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_request_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('fee_request_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('txn_ref', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('provider_transaction_no', sa.String(length=40), nullable=False),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('response_code', sa.String(length=10), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_payment_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['fee_request_id'], ['fee_request.id'], name=op.f('fk_payment_fee_request_id_fee_request')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_payment_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment')),
    sa.UniqueConstraint('txn_ref', name=op.f('uq_payment_txn_ref'))
    )
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_fee_request_id'), ['fee_request_id'], unique=False)

    op.create_table('sms_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_log'))
    )
    with op.batch_alter_table('sms_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_log_recipient'), ['recipient'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sms_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_log_recipient'))
    op.drop_table('sms_log')
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_fee_request_id'))
        batch_op.drop_index(batch_op.f('ix_payment_dossier_id'))
    op.drop_table('payment')
    with op.batch_alter_table('fee_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_request_dossier_id'))
    op.drop_table('fee_request')
