"""integrator tokens: read-only tokens an admin issues and revokes in the console (values never kept)

Revision ID: d7c0d0d11401
Revises: d7c0d0d11301
"""
import sqlalchemy as sa
from alembic import op

revision = 'd7c0d0d11401'
down_revision = 'd7c0d0d11301'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'integrator_tokens',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('hint', sa.String(length=8), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade() -> None:
    op.drop_table('integrator_tokens')
