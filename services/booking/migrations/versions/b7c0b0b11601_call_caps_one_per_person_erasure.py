"""clinicians' call method, daily cap and buffer; hashed client keys (one free consultation per person); erasure marks

Revision ID: b7c0b0b11601
Revises: b7c0b0b11301
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7c0b0b11601'
down_revision = 'b7c0b0b11301'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clinicians") as batch:
        batch.add_column(sa.Column("call_method", sa.String(8), nullable=True))
        batch.add_column(sa.Column("video_url", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("max_per_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("buffer_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("client_email_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("client_phone_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_index("ix_appointments_client_email_key", "appointments", ["client_email_key", "start_at"])
    op.create_index("ix_appointments_client_phone_key", "appointments", ["client_phone_key", "start_at"])
    op.create_index("ix_appointments_updated", "appointments", ["status", "updated_at"])
    with op.batch_alter_table("contact_requests") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact_requests") as batch:
        batch.drop_column("erased_at")
    op.drop_index("ix_appointments_updated", "appointments")
    op.drop_index("ix_appointments_client_phone_key", "appointments")
    op.drop_index("ix_appointments_client_email_key", "appointments")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("client_phone_key")
        batch.drop_column("client_email_key")
    with op.batch_alter_table("clinicians") as batch:
        batch.drop_column("buffer_minutes")
        batch.drop_column("max_per_day")
        batch.drop_column("video_url")
        batch.drop_column("call_method")
