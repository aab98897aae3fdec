"""calendars: clinicians' CalDAV connections, synced busy time, consultations for write-back and feed, feed keys

Revision ID: a7c0a0a11401
Revises: a7c0a0a11601
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c0a0a11401'
down_revision = 'a7c0a0a11601'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_connections",
        sa.Column("clinician_id", sa.String(40), primary_key=True),
        sa.Column("caldav_url", sa.String(2000), nullable=False),
        sa.Column("calendar_url", sa.String(2000), nullable=False),
        sa.Column("username", sa.String(320), nullable=False),
        sa.Column("sealed_password", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("last_sync", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_sync_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(40), nullable=True),
        sa.Column("sync_token", sa.String(500), nullable=True),
        sa.Column("window_end", sa.DateTime(), nullable=True),
        sa.Column("clashes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_calendar_connections_next_sync_at", "calendar_connections", ["next_sync_at"])
    op.create_table(
        "calendar_busy",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("clinician_id", sa.String(40), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_calendar_busy_clinician_start", "calendar_busy", ["clinician_id", "start"])
    op.create_table(
        "calendar_bookings",
        sa.Column("booking_id", sa.String(64), primary_key=True),
        sa.Column("clinician_id", sa.String(40), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("client_label", sa.String(200), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("written_url", sa.String(2000), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_calendar_bookings_clinician_start", "calendar_bookings", ["clinician_id", "start"])
    op.create_index("ix_calendar_bookings_pending", "calendar_bookings", ["pending"])
    op.create_table(
        "calendar_feed_keys",
        sa.Column("clinician_id", sa.String(40), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("calendar_feed_keys")
    op.drop_index("ix_calendar_bookings_pending", table_name="calendar_bookings")
    op.drop_index("ix_calendar_bookings_clinician_start", table_name="calendar_bookings")
    op.drop_table("calendar_bookings")
    op.drop_index("ix_calendar_busy_clinician_start", table_name="calendar_busy")
    op.drop_table("calendar_busy")
    op.drop_index("ix_calendar_connections_next_sync_at", table_name="calendar_connections")
    op.drop_table("calendar_connections")
