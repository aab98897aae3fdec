"""abuse limits: holds know the (hashed) client address and its live-hold rank; idempotency keys
their owner process; contact requests their email verification

A unique partial index over (hold_address, hold_rank) of held rows lets the database itself refuse
more live holds from one address than it has ranks (HOLD_MAX_LIVE_PER_ADDRESS).

Revision ID: b7c0b0b11101
Revises: b7c0b0b11201
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7c0b0b11101'
down_revision = 'b7c0b0b11201'
branch_labels = None
depends_on = None

HELD = sa.text("status = 'held'")


def upgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_address', sa.String(40), nullable=True))
        batch_op.add_column(sa.Column('hold_rank', sa.Integer(), nullable=True))
        batch_op.create_index('uq_appointments_held_address_rank', ['hold_address', 'hold_rank'], unique=True,
                              sqlite_where=HELD, postgresql_where=HELD)
        batch_op.create_index('ix_appointments_hold_address_created', ['hold_address', 'created_at'])
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(120), nullable=True))
    with op.batch_alter_table('contact_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verify_token_hash', sa.String(64), nullable=True))
        batch_op.add_column(sa.Column('verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_key', sa.String(64), nullable=True))
        batch_op.create_index('ix_contact_requests_email_key', ['email_key'])


def downgrade() -> None:
    with op.batch_alter_table('contact_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_requests_email_key')
        batch_op.drop_column('email_key')
        batch_op.drop_column('verified_at')
        batch_op.drop_column('verify_token_hash')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('owner')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_hold_address_created')
        batch_op.drop_index('uq_appointments_held_address_rank', sqlite_where=HELD, postgresql_where=HELD)
        batch_op.drop_column('hold_rank')
        batch_op.drop_column('hold_address')
