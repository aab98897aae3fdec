"""outbox notify trigger: the relay wakes on commit without the writer sending a NOTIFY

Revision ID: dd308f485916
Revises: 98d3be419179
Create Date: 2026-11-30 09:10:31.306732
"""
from alembic import op

from shared.messaging.tables import create_outbox_notify, drop_outbox_notify

revision = 'dd308f485916'
down_revision = '98d3be419179'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_outbox_notify(op)


def downgrade() -> None:
    drop_outbox_notify(op)
