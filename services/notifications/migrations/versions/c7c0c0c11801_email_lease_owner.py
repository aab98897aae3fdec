"""emails name the worker process that leased them, so a SIGKILLed worker's mail is taken over at once

Revision ID: c7c0c0c11801
Revises: c7c0c0c11501
"""
import sqlalchemy as sa
from alembic import op

revision = 'c7c0c0c11801'
down_revision = 'c7c0c0c11501'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("locked_by", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("locked_by")
