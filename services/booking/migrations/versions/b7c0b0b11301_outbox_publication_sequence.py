"""outbox publication sequence: the relay numbers rows as it marks them sent; the feed's cursor

Revision ID: b7c0b0b11301
Revises: b7c0b0b11202
"""
from alembic import op

from shared.messaging.tables import add_publication_sequence, drop_publication_sequence

revision = 'b7c0b0b11301'
down_revision = 'b7c0b0b11202'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_publication_sequence(op)


def downgrade() -> None:
    drop_publication_sequence(op)
