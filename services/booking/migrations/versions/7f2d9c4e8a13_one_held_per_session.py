"""one held appointment per hold session, enforced by a unique partial index

The booking service released a session's previous hold under a lock of its own; the index makes
the database refuse a second live hold of one session, so a hold can be placed without the lock.
Should rows break the rule already, all but the newest of a session lose their session tag (they
still expire on time).

Revision ID: 7f2d9c4e8a13
Revises: 5c1e7a9b2f40
Create Date: 2026-11-30 12:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = '7f2d9c4e8a13'
down_revision = '5c1e7a9b2f40'
branch_labels = None
depends_on = None

HELD = sa.text("status = 'held'")


def upgrade() -> None:
    op.execute("UPDATE appointments SET hold_session = NULL WHERE status = 'held' AND hold_session IS NOT NULL "
               "AND EXISTS (SELECT 1 FROM appointments newer WHERE newer.status = 'held' "
               "AND newer.hold_session = appointments.hold_session AND (newer.created_at > appointments.created_at "
               "OR (newer.created_at = appointments.created_at AND newer.id > appointments.id)))")
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_held_session', sqlite_where=HELD, postgresql_where=HELD)
        batch_op.create_index('uq_appointments_held_session', ['hold_session'], unique=True,
                              sqlite_where=HELD, postgresql_where=HELD)


def downgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('uq_appointments_held_session', sqlite_where=HELD, postgresql_where=HELD)
        batch_op.create_index('ix_appointments_held_session', ['hold_session'], unique=False,
                              sqlite_where=HELD, postgresql_where=HELD)
