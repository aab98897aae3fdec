"""Each service's own copy of ended sessions and deactivated accounts, kept from the staff service's events.

A service that was down when a session ended learns it from its durable queue when its worker
starts; its web processes read this table, so a revoked token is refused without asking anyone.
"""
from __future__ import annotations

import functools

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
)

from shared.clock import naive_utc

ROUTING_KEYS = ("session.revoked", "account.deactivated", "account.reactivated")


def add_revocations_table(metadata: MetaData) -> Table:
    if "revocations" in metadata.tables:
        return metadata.tables["revocations"]
    return Table(
        "revocations", metadata,
        Column("kind", String(16), primary_key=True),  # "session" or "account"
        Column("key", String(64), primary_key=True),  # session id or account id
        Column("disabled", Boolean, nullable=False, default=True),
        Column("expires_at", DateTime, nullable=True),  # a session's row is useless after its token expired
    )


def create_revocations_table(op) -> None:
    """For a service's migration: the one definition of the table, created through Alembic."""
    import sqlalchemy as sa

    op.create_table(
        "revocations",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kind", "key"),
    )


def drop_revocations_table(op) -> None:
    op.drop_table("revocations")


@functools.lru_cache(maxsize=8)
def _revoked_statement(table: Table):
    return select(table.c.kind).where(table.c.disabled.is_(True), or_(
        and_(table.c.kind == "session", table.c.key == bindparam("b_session")),
        and_(table.c.kind == "account", table.c.key == bindparam("b_account")))).limit(1)


def is_revoked(conn, table: Table, session_id: str, account_id: str) -> bool:
    # Every request with a session token asks: the statement is built once (building it cost
    # more than running it, bench/auth.py).
    params = {"b_session": session_id, "b_account": account_id}
    return conn.execute(_revoked_statement(table), params).first() is not None


def _put(conn, table: Table, kind: str, key: str, disabled: bool, expires_at=None) -> None:
    conn.execute(delete(table).where(table.c.kind == kind, table.c.key == key))
    conn.execute(insert(table).values(kind=kind, key=key, disabled=disabled,
                                      expires_at=naive_utc(expires_at) if expires_at else None))


def revoke_session(conn, table: Table, session_id: str, expires_at=None) -> None:
    _put(conn, table, "session", session_id, True, expires_at)


def set_account_disabled(conn, table: Table, account_id: str, disabled: bool) -> None:
    _put(conn, table, "account", account_id, disabled)


def purge_expired(conn, table: Table, now) -> None:
    conn.execute(delete(table).where(table.c.kind == "session", table.c.expires_at < naive_utc(now)))


def handlers(table: Table) -> dict:
    """Consumer handlers for the staff service's revocation events (Subscription routing ROUTING_KEYS)."""
    return {
        "session.revoked": lambda s, env, d: revoke_session(s, table, d["session_id"], d.get("expires_at")),
        "account.deactivated": lambda s, env, d: set_account_disabled(s, table, d["account_id"], True),
        "account.reactivated": lambda s, env, d: set_account_disabled(s, table, d["account_id"], False),
    }


def subscription(table: Table):
    """The queue every service keeps for revocations (`<service>.staff-events`)."""
    from shared.messaging.topology import Subscription

    return Subscription("staff-events", ROUTING_KEYS, handlers(table))
