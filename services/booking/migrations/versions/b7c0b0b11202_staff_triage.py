"""staff triage: contact requests keep a staff note, the booking made from them and when they last
changed; bookings are listed by date range across clinicians

Revision ID: b7c0b0b11202
Revises: b7c0b0b11101
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7c0b0b11202'
down_revision = 'b7c0b0b11101'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contact_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('booking_id', sa.String(36), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=True))
    op.create_index('ix_appointments_start', 'appointments', ['start_at'])


def downgrade() -> None:
    op.drop_index('ix_appointments_start', table_name='appointments')
    with op.batch_alter_table('contact_requests', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('booking_id')
        batch_op.drop_column('note')
