"""outbox publication sequence: the relay numbers rows as it marks them sent; the feed's cursor

Revision ID: d7c0d0d11301
Revises: d7c0d0d11201
"""
from alembic import op

from shared.messaging.tables import add_publication_sequence, drop_publication_sequence

revision = 'd7c0d0d11301'
down_revision = 'd7c0d0d11201'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_publication_sequence(op)


def downgrade() -> None:
    drop_publication_sequence(op)
