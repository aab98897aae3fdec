"""outbox publication sequence: the relay numbers rows as it marks them sent; the feed's cursor

Revision ID: a7c0a0a11301
Revises: a7c0a0a11401
"""
from alembic import op

from shared.messaging.tables import add_publication_sequence, drop_publication_sequence

revision = 'a7c0a0a11301'
down_revision = 'a7c0a0a11401'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_publication_sequence(op)


def downgrade() -> None:
    drop_publication_sequence(op)
