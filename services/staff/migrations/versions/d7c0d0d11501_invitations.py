"""invitations: an admin invites someone by email; they choose their own password on the link (hash kept)

Revision ID: d7c0d0d11501
Revises: d7c0d0d11401
"""
import sqlalchemy as sa
from alembic import op

revision = 'd7c0d0d11501'
down_revision = 'd7c0d0d11401'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'invitations',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.Column('sends', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('accepted_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('invitations') as batch_op:
        batch_op.create_index('ix_invitations_account_id', ['account_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invitations') as batch_op:
        batch_op.drop_index('ix_invitations_account_id')
    op.drop_table('invitations')
