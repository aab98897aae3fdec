"""The messaging tables every service keeps in its own database: outbox, processed events, sequences."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

BigId = BigInteger().with_variant(Integer, "sqlite")


def add_messaging_tables(metadata: MetaData) -> dict[str, Table]:
    outbox = Table(
        "outbox", metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("type", String(64), nullable=False, index=True),
        Column("subject", String(64), nullable=False),
        Column("sequence", Integer, nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime, nullable=False),
        Column("published_at", DateTime, nullable=True),
        # The feed's cursor: numbered by the relay as it marks rows sent, in the order of those commits
        # (ids are taken before commit, so on PostgreSQL a lower id may become visible after a higher one).
        Column("published_seq", BigId, nullable=True),
        UniqueConstraint("subject", "sequence", name="uq_outbox_subject_sequence"),
    )
    Index("ix_outbox_published_seq", outbox.c.published_seq, unique=True)
    Index("ix_outbox_unpublished", outbox.c.id,
          postgresql_where=outbox.c.published_at.is_(None), sqlite_where=outbox.c.published_at.is_(None))
    processed = Table(
        "processed_events", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("consumer", String(64), primary_key=True),
        Column("type", String(64), nullable=False),
        Column("processed_at", DateTime, nullable=False),
    )
    sequences = Table(  # the last sequence applied per stream: "<type family>:<subject>" (consumer.sequence_key)
        "subject_sequences", metadata,
        Column("subject", String(64), primary_key=True),
        Column("consumer", String(64), primary_key=True),
        Column("sequence", Integer, nullable=False),
    )
    return {"outbox": outbox, "processed_events": processed, "subject_sequences": sequences}



def create_messaging_tables(op) -> None:
    """For a service's first migration: the messaging tables as they were first released (later
    migrations add `published_seq` with `add_publication_sequence` and the trigger with
    `create_outbox_notify`), so every service's history builds the same schema from one definition."""
    import sqlalchemy as sa

    op.create_table(
        "outbox",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("subject", "sequence", name="uq_outbox_subject_sequence"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_type"), ["type"], unique=False)
        batch_op.create_index("ix_outbox_unpublished", ["id"], unique=False,
                              postgresql_where=sa.text("published_at IS NULL"),
                              sqlite_where=sa.text("published_at IS NULL"))
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer"),
    )
    op.create_table(
        "subject_sequences",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "consumer"),
    )


def drop_messaging_tables(op) -> None:
    """The reverse of `create_messaging_tables`."""
    import sqlalchemy as sa

    op.drop_table("subject_sequences")
    op.drop_table("processed_events")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unpublished", postgresql_where=sa.text("published_at IS NULL"),
                            sqlite_where=sa.text("published_at IS NULL"))
        batch_op.drop_index(batch_op.f("ix_outbox_type"))
    op.drop_table("outbox")

# On PostgreSQL the outbox wakes its relay itself: a statement-level trigger sends a NOTIFY, which
# PostgreSQL delivers when the writing transaction commits (and folds into one per transaction),
# so a writer pays no extra round trip. The payload names the schema: each service's relay wakes
# only for its own outbox. SQLite has no notifications; its relay polls.
NOTIFY_CHANNEL = "attune_outbox"
_NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION attune_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('{NOTIFY_CHANNEL}', current_schema());
  RETURN NULL;
END $$"""
_NOTIFY_TRIGGER = ("CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
                   "FOR EACH STATEMENT EXECUTE FUNCTION attune_outbox_notify()")


def create_outbox_notify(op) -> None:
    """For a migration: installs the wake-up trigger (PostgreSQL only)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_NOTIFY_FUNCTION)
        op.execute(_NOTIFY_TRIGGER)


def install_outbox_notify(connection) -> None:
    """The same on a plain SQLAlchemy connection, for outboxes made with `create_all` (tests, benches)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(_NOTIFY_FUNCTION)
        connection.exec_driver_sql(_NOTIFY_TRIGGER)


def drop_outbox_notify(op) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
        op.execute("DROP FUNCTION IF EXISTS attune_outbox_notify()")


def add_publication_sequence(op) -> None:
    """For a migration: the outbox's `published_seq` column. Rows already sent are numbered by id, so
    a cursor an integrator kept from the id-ordered feed still points at the same place."""
    op.add_column("outbox", Column("published_seq", BigId, nullable=True))
    op.execute("UPDATE outbox SET published_seq = id WHERE published_at IS NOT NULL")
    op.create_index("ix_outbox_published_seq", "outbox", ["published_seq"], unique=True)


def drop_publication_sequence(op) -> None:
    op.drop_index("ix_outbox_published_seq", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("published_seq")
