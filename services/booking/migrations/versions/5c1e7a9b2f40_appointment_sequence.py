"""appointment sequence: each appointment carries the sequence of its last event

Confirming, cancelling or moving a booking then needs no lookup of the outbox's highest sequence
for it. Existing rows take theirs from the outbox.

Revision ID: 5c1e7a9b2f40
Revises: dd308f485916
Create Date: 2026-11-30 11:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5c1e7a9b2f40'
down_revision = 'dd308f485916'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE appointments SET sequence = COALESCE("
               "(SELECT MAX(o.sequence) FROM outbox o WHERE o.subject = appointments.id), 0)")


def downgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('sequence')
