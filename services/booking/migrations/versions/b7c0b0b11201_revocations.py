"""revocations: ended staff sessions and deactivated accounts, from the staff service's events

Revision ID: b7c0b0b11201
Revises: 7f2d9c4e8a13
"""
from alembic import op

from shared.revocations import create_revocations_table, drop_revocations_table

revision = 'b7c0b0b11201'
down_revision = '7f2d9c4e8a13'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_revocations_table(op)


def downgrade() -> None:
    drop_revocations_table(op)
