"""revocations: ended staff sessions and deactivated accounts, from the staff service's events

Revision ID: c7c0c0c11201
Revises: 44eee381006c
"""
from alembic import op

from shared.revocations import create_revocations_table, drop_revocations_table

revision = 'c7c0c0c11201'
down_revision = '44eee381006c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_revocations_table(op)


def downgrade() -> None:
    drop_revocations_table(op)
