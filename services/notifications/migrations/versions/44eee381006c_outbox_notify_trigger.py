"""outbox notify trigger: the relay wakes on commit without the writer sending a NOTIFY

Revision ID: 44eee381006c
Revises: f5e713385ecf
Create Date: 2026-11-30 09:10:33.187332
"""
from alembic import op

from shared.messaging.tables import create_outbox_notify, drop_outbox_notify

revision = '44eee381006c'
down_revision = 'f5e713385ecf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_notify(op)


def downgrade() -> None:
    drop_outbox_notify(op)
