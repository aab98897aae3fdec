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
    # Issue 15: how the call happens ({"method", "video_url"?}; NULL: video, a link per booking), and
    # the practice's rules: consultations per clinician-local day, minutes kept free around each one.
    Column("call", JSON, nullable=True),
    Column("max_per_day", Integer, nullable=True),
    Column("buffer_minutes", Integer, nullable=True),
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

# A clinician's own CalDAV calendar (issue 14): where it is, the sealed password, the sync's state and
# lease (one replica syncs a clinician at a time), and the holds/bookings its busy time now clashes with.
calendar_connections = Table(
    "calendar_connections", metadata,
    Column("clinician_id", String(40), primary_key=True),
    Column("caldav_url", String(2000), nullable=False),
    Column("calendar_url", String(2000), nullable=False),
    Column("username", String(320), nullable=False),
    Column("sealed_password", Text, nullable=False),
    Column("status", String(16), nullable=False),  # ok | failing
    Column("reason", String(500), nullable=True),
    Column("last_sync", DateTime, nullable=True),
    Column("failures", Integer, nullable=False),
    Column("next_sync_at", DateTime, nullable=False),
    Column("lease_until", DateTime, nullable=True),
    Column("lease_owner", String(40), nullable=True),
    Column("sync_token", String(500), nullable=True),
    Column("window_end", DateTime, nullable=True),
    Column("clashes", JSON, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_calendar_connections_next_sync_at", calendar_connections.c.next_sync_at)

# Busy intervals of the last good sync, per clinician (UTC): the slot computation leaves them out.
calendar_busy = Table(
    "calendar_busy", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clinician_id", String(40), nullable=False),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
)
Index("ix_calendar_busy_clinician_start", calendar_busy.c.clinician_id, calendar_busy.c.start)

# Confirmed consultations as the clinician's calendar and feed show them (client label only: the first
# name unless the practice wants full names), and how far the CalDAV write-back has got (`pending`).
calendar_bookings = Table(
    "calendar_bookings", metadata,
    Column("booking_id", String(64), primary_key=True),
    Column("clinician_id", String(40), nullable=False),
    Column("start", DateTime, nullable=False),
    Column("end", DateTime, nullable=False),
    Column("status", String(16), nullable=False),  # confirmed | cancelled
    Column("client_label", String(200), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("pending", Boolean, nullable=False),
    Column("written_url", String(2000), nullable=True),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_calendar_bookings_clinician_start", calendar_bookings.c.clinician_id, calendar_bookings.c.start)
Index("ix_calendar_bookings_pending", calendar_bookings.c.pending)

# The clinician's ICS feed key, as a SHA-256 hash: a new key replaces (revokes) the old one.
calendar_feed_keys = Table(
    "calendar_feed_keys", metadata,
    Column("clinician_id", String(40), primary_key=True),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
