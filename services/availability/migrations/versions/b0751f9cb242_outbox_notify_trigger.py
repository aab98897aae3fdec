"""outbox notify trigger: the relay wakes on commit without the writer sending a NOTIFY

Revision ID: b0751f9cb242
Revises: a4a3aabb988b
Create Date: 2026-11-30 09:10:29.495046
"""
from alembic import op

from shared.messaging.tables import create_outbox_notify, drop_outbox_notify

revision = 'b0751f9cb242'
down_revision = 'a4a3aabb988b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_notify(op)


def downgrade() -> None:
    drop_outbox_notify(op)
