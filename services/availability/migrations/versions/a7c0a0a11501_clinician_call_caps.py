"""clinicians: how the call happens (call), consultations per day (max_per_day), buffer around each (buffer_minutes)

Revision ID: a7c0a0a11501
Revises: a7c0a0a11301
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c0a0a11501'
down_revision = 'a7c0a0a11301'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinicians") as batch:
        batch.add_column(sa.Column("call", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("max_per_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("buffer_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clinicians") as batch:
        batch.drop_column("buffer_minutes")
        batch.drop_column("max_per_day")
        batch.drop_column("call")
