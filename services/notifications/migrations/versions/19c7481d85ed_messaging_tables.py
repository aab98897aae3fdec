"""messaging tables

Revision ID: 19c7481d85ed
Revises: 
Create Date: 2026-11-23 09:11:57.518747
"""
from alembic import op

from shared.messaging.tables import create_messaging_tables, drop_messaging_tables

revision = '19c7481d85ed'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables(op)


def downgrade() -> None:
    drop_messaging_tables(op)
