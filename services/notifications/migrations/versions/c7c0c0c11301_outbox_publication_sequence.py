"""outbox publication sequence: the relay numbers rows as it marks them sent; the feed's cursor

Revision ID: c7c0c0c11301
Revises: c7c0c0c11701
"""
from alembic import op

from shared.messaging.tables import add_publication_sequence, drop_publication_sequence

revision = 'c7c0c0c11301'
down_revision = 'c7c0c0c11701'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_publication_sequence(op)


def downgrade() -> None:
    drop_publication_sequence(op)
