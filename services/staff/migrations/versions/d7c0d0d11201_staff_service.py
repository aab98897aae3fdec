"""staff service: messaging tables, revocations, accounts, sessions, sign-in failures, audit entries

Revision ID: d7c0d0d11201
Revises:
"""
import sqlalchemy as sa
from alembic import op

from shared.messaging.tables import (
    BigId,
    create_messaging_tables,
    create_outbox_notify,
    drop_messaging_tables,
    drop_outbox_notify,
)
from shared.revocations import create_revocations_table, drop_revocations_table

revision = 'd7c0d0d11201'
down_revision = None
branch_labels = None
depends_on = None


def _messaging() -> None:
    create_messaging_tables(op)
    create_outbox_notify(op)
    create_revocations_table(op)


def upgrade() -> None:
    _messaging()
    op.create_table(
        'accounts',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('clinician_id', sa.String(length=64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('password_hash', sa.String(length=256), nullable=False),
        sa.Column('totp_secret', sa.Text(), nullable=True),
        sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
    )
    op.create_table(
        'sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sessions_account_id', 'sessions', ['account_id'])
    op.create_table(
        'sign_in_failures',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=320), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sign_in_failures_key_at', 'sign_in_failures', ['kind', 'key', 'at'])
    op.create_table(
        'audit_entries',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('account_id', sa.String(length=64), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('owner_token', sa.Boolean(), nullable=False),
        sa.Column('session_id', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('service', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id'),
    )
    op.create_index('ix_audit_entries_account_id', 'audit_entries', ['account_id'])
    op.create_index('ix_audit_entries_subject', 'audit_entries', ['subject'])


def downgrade() -> None:
    for table in ('audit_entries', 'sign_in_failures', 'sessions', 'accounts'):
        op.drop_table(table)
    drop_revocations_table(op)
    drop_outbox_notify(op)
    drop_messaging_tables(op)
