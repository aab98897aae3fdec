"""The staff service's tables: accounts, invitations, sessions, sign-in failures, integrator tokens, the audit log."""
from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Index, Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase

from shared.messaging.tables import BigId
from shared.runtime import messaging_tables


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
MESSAGING = messaging_tables(metadata)

accounts = Table(
    "accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),  # normalised (domain.accounts)
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("clinician_id", String(64), nullable=True),
    Column("active", Boolean, nullable=False),
    Column("password_hash", String(256), nullable=False),  # `!invited` until an invitation is accepted
    Column("totp_secret", Text, nullable=True),  # sealed (shared.sealed), never stored in the clear
    Column("totp_last_step", BigInteger, nullable=True),  # the last code's time step: a code works once
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

invitations = Table(  # an invited account's link: only the token's hash is kept, and it works once
    "invitations", metadata,
    Column("id", String(64), primary_key=True),  # inv_...
    Column("account_id", String(36), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the latest link's token
    Column("created_by", String(64), nullable=False),  # an account id, or `owner`
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=False),  # the latest (re)send
    Column("sends", Integer, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("accepted_at", DateTime, nullable=True),
    Column("revoked_at", DateTime, nullable=True),
)

sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),  # the token's `sid`
    Column("account_id", String(36), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)

sign_in_failures = Table(  # what the lockouts count: per email signed in to, and per client address
    "sign_in_failures", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # "email" or "address"
    Column("key", String(320), nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_sign_in_failures_key_at", "kind", "key", "at"),
)

audit_entries = Table(  # every service's audit.recorded events, and the staff service's own
    "audit_entries", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),  # the paging cursor
    Column("event_id", String(36), nullable=False, unique=True),
    Column("at", DateTime, nullable=False),
    Column("account_id", String(64), nullable=False, index=True),
    Column("role", String(16), nullable=False),
    Column("owner_token", Boolean, nullable=False),
    Column("session_id", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("service", String(32), nullable=False),
    Column("subject", String(200), nullable=True, index=True),
)

integrator_tokens = Table(  # read-only tokens for integrators; the token itself is shown once, never kept
    "integrator_tokens", metadata,
    Column("id", String(64), primary_key=True),  # the token's `sid` and `sub` (itk_...)
    Column("name", String(80), nullable=False),
    Column("hint", String(8), nullable=False),  # the token's last characters, to tell tokens apart
    Column("created_by", String(64), nullable=False),  # an account id, or `owner`
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("revoked_at", DateTime, nullable=True),
)
