"""clinicians projection: how the call happens (call_method, video_url)

Revision ID: c7c0c0c11501
Revises: c7c0c0c11301
"""
import sqlalchemy as sa
from alembic import op

revision = 'c7c0c0c11501'
down_revision = 'c7c0c0c11301'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinicians") as batch:
        batch.add_column(sa.Column("call_method", sa.String(8), nullable=True))
        batch.add_column(sa.Column("video_url", sa.String(2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clinicians") as batch:
        batch.drop_column("video_url")
        batch.drop_column("call_method")
