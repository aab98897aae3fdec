"""The availability service's tables (SQLAlchemy), including its outbox and processed-events tables."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase

from shared.runtime import messaging_tables


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
MESSAGING = messaging_tables(metadata)

clinicians = Table(
    "clinicians", metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("modalities", JSON, nullable=False),
    Column("populations", JSON, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("accepting_new_clients", Boolean, nullable=False),
    Column("credentials", String(200), nullable=True),
    Column("bio", Text, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

schedules = Table(
    "schedules", metadata,
    Column("clinician_id", String(40), ForeignKey("clinicians.id"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("weekly", JSON, nullable=False),
    Column("overrides", JSON, nullable=False),
    Column("time_off", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# Projection of booking.* events: one row per booking as it now stands. No foreign key to
# clinicians: events may name a clinician this database has not seen (yet).
busy_slots = Table(
    "busy_slots", metadata,
    Column("booking_id", String(64), primary_key=True),
    Column("clinician_id", String(64), nullable=False),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("expires_at", DateTime, nullable=True),
    Column("sequence", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_busy_slots_start", busy_slots.c.start)
Index("ix_busy_slots_clinician_start", busy_slots.c.clinician_id, busy_slots.c.start)

# The public directory, kept by services/availability/service_layer/directory.py whenever a clinician, their
# schedule or their busy time changes: each row has the public profile (JSON text, sent as it is), the
# filters as "|a|b|" strings, the first open slot, and when time passing will make that slot stale.
directory = Table(
    "directory", metadata,
    Column("clinician_id", String(40), primary_key=True),
    Column("active", Boolean, nullable=False),
    Column("accepting_new_clients", Boolean, nullable=False),
    Column("rank_at", DateTime, nullable=False),  # next_available, or FAR when none: NULLs last on both databases
    Column("sort_name", String(200), nullable=False),  # casefolded: one order on PostgreSQL and SQLite
    Column("next_available", DateTime, nullable=True),
    Column("due_at", DateTime, nullable=False),  # recompute at (the first slot falls behind the notice)
    Column("modalities", String(400), nullable=False),
    Column("populations", String(400), nullable=False),
    Column("languages", String(400), nullable=False),
    Column("profile", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_directory_order", directory.c.rank_at, directory.c.sort_name, directory.c.clinician_id)
Index("ix_directory_due", directory.c.due_at)
