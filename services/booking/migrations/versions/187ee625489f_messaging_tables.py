"""messaging tables

Revision ID: 187ee625489f
Revises: 
Create Date: 2026-11-23 09:11:56.607294
"""
from alembic import op

from shared.messaging.tables import create_messaging_tables, drop_messaging_tables

revision = '187ee625489f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)


def downgrade() -> None:
    drop_messaging_tables(op)
