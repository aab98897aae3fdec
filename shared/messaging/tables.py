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
        UniqueConstraint("subject", "sequence", name="uq_outbox_subject_sequence"),
    )
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
