"""The booking service's tables (SQLAlchemy Core), including its outbox and processed-events tables.

One row per appointment from hold to booking. No double booking is the database's job: a unique
index over (clinician, start) restricted to active rows, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase

from shared.runtime import messaging_tables


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
MESSAGING = messaging_tables(metadata)
ACTIVE_SQL = "status IN ('held', 'confirmed')"
HELD_SQL = "status = 'held'"


def _both(where: str) -> dict:
    return {"sqlite_where": text(where), "postgresql_where": text(where)}


appointments = Table(
    "appointments", metadata,
    Column("id", String(36), primary_key=True),
    Column("clinician_id", String(64), nullable=False),
    Column("start_at", DateTime, nullable=False),
    Column("end_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("expires_at", DateTime, nullable=True),
    Column("hold_token_hash", String(64), nullable=False),
    Column("hold_session", String(64), nullable=True),
    Column("manage_token_hash", String(64), nullable=True),
    Column("client_name", String(200), nullable=True),
    Column("client_email", String(320), nullable=True),
    Column("client_phone", String(40), nullable=True),
    Column("client_time_zone", String(64), nullable=True),
    Column("notes", Text, nullable=True),
    Column("cancel_reason", String(500), nullable=True),
    Column("cancelled_by", String(16), nullable=True),
    # The sequence of the appointment's last event: the next one's is known without reading the outbox.
    Column("sequence", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # Who placed a hold (the client address, hashed) and which of its live-hold ranks it takes.
    Column("hold_address", String(40), nullable=True),
    Column("hold_rank", Integer, nullable=True),
    # One free consultation per person (issue 15): keyed hashes of the casefolded email and the E.164
    # phone, so the check is an indexed query and never a lookup by plaintext; and when retention or an
    # admin erased the client's details.
    Column("client_email_key", String(64), nullable=True),
    Column("client_phone_key", String(64), nullable=True),
    Column("erased_at", DateTime, nullable=True),
)
Index("uq_appointments_active_slot", appointments.c.clinician_id, appointments.c.start_at, unique=True,
      **_both(ACTIVE_SQL))
Index("ix_appointments_held_expiry", appointments.c.expires_at, **_both(HELD_SQL))
# One live hold per hold session, also enforced by the database (a new hold releases the last one).
Index("uq_appointments_held_session", appointments.c.hold_session, unique=True, **_both(HELD_SQL))
Index("ix_appointments_clinician_start", appointments.c.clinician_id, appointments.c.start_at)
# Staff list bookings by date range across clinicians.
Index("ix_appointments_start", appointments.c.start_at)
# At most as many live holds per address as it has ranks (HOLD_MAX_LIVE_PER_ADDRESS): the database's job too.
Index("uq_appointments_held_address_rank", appointments.c.hold_address, appointments.c.hold_rank, unique=True,
      **_both(HELD_SQL))
Index("ix_appointments_hold_address_created", appointments.c.hold_address, appointments.c.created_at)
Index("ix_appointments_client_email_key", appointments.c.client_email_key, appointments.c.start_at)
Index("ix_appointments_client_phone_key", appointments.c.client_phone_key, appointments.c.start_at)
Index("ix_appointments_updated", appointments.c.status, appointments.c.updated_at)  # retention's selection

clinicians = Table(
    "clinicians", metadata,
    Column("id", String(64), primary_key=True),
    Column("time_zone", String(64), nullable=True),
    Column("active", Boolean, nullable=True),
    Column("accepting", Boolean, nullable=True),
    Column("modalities", Text, nullable=False, server_default="[]"),
    Column("populations", Text, nullable=False, server_default="[]"),
    Column("schedule", Text, nullable=True),
    Column("schedule_version", Integer, nullable=True),
    Column("updated_at", DateTime, nullable=False),
    Column("call_method", String(8), nullable=True),  # phone | video (NULL: video)
    Column("video_url", String(2000), nullable=True),
    Column("max_per_day", Integer, nullable=True),
    Column("buffer_minutes", Integer, nullable=True),
)

contact_requests = Table(
    "contact_requests", metadata,
    Column("id", String(36), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("clinician_id", String(64), nullable=True),
    Column("modality", String(32), nullable=True),
    Column("population", String(32), nullable=True),
    Column("time_zone", String(64), nullable=False),
    Column("preferred_times", Text, nullable=False),
    Column("message", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("closed_at", DateTime, nullable=True),
    # An email is verified (a link mailed to it) before the request is offered slots.
    Column("verify_token_hash", String(64), nullable=True),
    Column("verified_at", DateTime, nullable=True),
    Column("email_key", String(64), nullable=True),  # hash of the lowercased email: offers per recipient
    # Staff triage: a note for colleagues (never published) and the booking a staff member made from it.
    Column("note", Text, nullable=True),
    Column("booking_id", String(36), nullable=True),
    Column("updated_at", DateTime, nullable=True),
    Column("erased_at", DateTime, nullable=True),  # retention or an admin erased the client's details
)
Index("ix_contact_requests_status", contact_requests.c.status, contact_requests.c.created_at)
Index("ix_contact_requests_email_key", contact_requests.c.email_key)

contact_request_matches = Table(
    "contact_request_matches", metadata,
    Column("contact_request_id", String(36), nullable=False),
    Column("clinician_id", String(64), nullable=False),
    Column("start_at", DateTime, nullable=False),
    Column("created_at", DateTime, nullable=False),
    PrimaryKeyConstraint("contact_request_id", "clinician_id", "start_at", name="pk_contact_request_matches"),
)

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("response_status", Integer, nullable=True),
    Column("response_type", String(64), nullable=True),
    Column("response_body", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("owner", String(120), nullable=True),  # the process running the first request: boot id, pid, start
)
Index("ix_idempotency_keys_created", idempotency_keys.c.created_at)

rate_limits = Table(
    "rate_limits", metadata,
    Column("bucket", String(80), nullable=False),
    Column("window_start", DateTime, nullable=False),
    Column("hits", Integer, nullable=False),
    PrimaryKeyConstraint("bucket", "window_start", name="pk_rate_limits"),
)
