"""revocations: ended staff sessions and deactivated accounts, from the staff service's events

Revision ID: a7c0a0a11201
Revises: b0751f9cb242
"""
from alembic import op

from shared.revocations import create_revocations_table, drop_revocations_table

revision = 'a7c0a0a11201'
down_revision = 'b0751f9cb242'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_revocations_table(op)


def downgrade() -> None:
    drop_revocations_table(op)
