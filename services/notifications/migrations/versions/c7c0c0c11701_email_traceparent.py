"""emails keep the traceparent of the event that asked for them, so the send joins its trace

Revision ID: c7c0c0c11701
Revises: c7c0c0c11201
"""
import sqlalchemy as sa
from alembic import op

revision = 'c7c0c0c11701'
down_revision = 'c7c0c0c11201'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("traceparent", sa.String(55), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("traceparent")
