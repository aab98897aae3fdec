"""directory: the public directory projection (profile, filters, next_available, recompute time)

Revision ID: a7c0a0a11601
Revises: a7c0a0a11201
"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c0a0a11601'
down_revision = 'a7c0a0a11201'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing clinicians get their rows from the worker's directory job (it adopts clinicians
    # missing here), so this migration needs none of the application's code.
    op.create_table(
        "directory",
        sa.Column("clinician_id", sa.String(40), primary_key=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("accepting_new_clients", sa.Boolean(), nullable=False),
        sa.Column("rank_at", sa.DateTime(), nullable=False),
        sa.Column("sort_name", sa.String(200), nullable=False),
        sa.Column("next_available", sa.DateTime(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("modalities", sa.String(400), nullable=False),
        sa.Column("populations", sa.String(400), nullable=False),
        sa.Column("languages", sa.String(400), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_directory_order", "directory", ["rank_at", "sort_name", "clinician_id"])
    op.create_index("ix_directory_due", "directory", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_directory_due", table_name="directory")
    op.drop_index("ix_directory_order", table_name="directory")
    op.drop_table("directory")
