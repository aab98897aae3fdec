"""The notifications service's tables (SQLAlchemy), including its outbox and processed-events tables.

Projections (clinicians, bookings, contact requests) keep what mails need later; `emails` is the
email outbox the sender job drains; `reminders` survive restarts; webhook subscriptions, their
deliveries and each delivery attempt are the integrators' side.
"""
from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase

from shared.messaging.tables import BigId
from shared.runtime import messaging_tables


class Base(DeclarativeBase):
    pass


metadata = Base.metadata
MESSAGING = messaging_tables(metadata)

clinicians = Table(
    "clinicians", metadata,
    Column("clinician_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    Column("time_zone", String(64), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("sequence", Integer, nullable=False),
    Column("call_method", String(8), nullable=True),  # phone | video (NULL: video, a link per booking)
    Column("video_url", String(2000), nullable=True),
)

bookings = Table(
    "bookings", metadata,
    Column("booking_id", String(64), primary_key=True),
    Column("clinician_id", String(64), nullable=False),
    Column("start_at", DateTime, nullable=False),
    Column("end_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("confirmed_sequence", Integer, nullable=True),
    Column("client_name", String(200), nullable=True),
    Column("client_email", String(320), nullable=True),
    Column("client_phone", String(64), nullable=True),
    Column("client_time_zone", String(64), nullable=True),
    Column("manage_token", String(200), nullable=True),
    Column("manage_url", String(1000), nullable=True),
)

contact_requests = Table(
    "contact_requests", metadata,
    Column("contact_request_id", String(64), primary_key=True),
    Column("client_name", String(200), nullable=False),
    Column("client_email", String(320), nullable=True),
    Column("email_key", String(320), nullable=True, index=True),
    Column("client_phone", String(64), nullable=True),
    Column("time_zone", String(64), nullable=False),
    Column("clinician_id", String(64), nullable=True),
    Column("created_at", DateTime, nullable=False),
)

reminders = Table(
    "reminders", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("booking_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("start_at", DateTime, nullable=False),
    Column("due_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False),
    UniqueConstraint("booking_id", "kind", "start_at", name="uq_reminders_booking_kind_start"),
    Index("ix_reminders_status_due", "status", "due_at"),
)

emails = Table(
    "emails", metadata,
    Column("id", String(36), primary_key=True),
    Column("dedup_key", String(200), nullable=False, unique=True),
    Column("kind", String(48), nullable=False),
    Column("recipient_role", String(16), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text, nullable=False),
    Column("ics", Text, nullable=True),
    Column("ics_method", String(16), nullable=True),
    Column("booking_id", String(64), nullable=True),
    Column("contact_request_id", String(64), nullable=True),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("locked_until", DateTime, nullable=True),
    Column("locked_by", String(64), nullable=True),  # process_owner of the lease: a dead worker's is free at once
    Column("expires_at", DateTime, nullable=True),
    Column("last_error", String(200), nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime, nullable=True),
    Column("traceparent", String(55), nullable=True),  # the trace of the event that asked for it
    Index("ix_emails_status_next", "status", "next_attempt_at"),
)

webhook_subscriptions = Table(
    "webhook_subscriptions", metadata,
    Column("id", String(36), primary_key=True),
    Column("url", String(2048), nullable=False),
    Column("events", Text, nullable=False),
    Column("include_client_details", Boolean, nullable=False, default=False),
    Column("description", String(500), nullable=True),
    Column("secret", String(100), nullable=False),
    Column("status", String(16), nullable=False),
    Column("disabled_reason", String(300), nullable=True),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("failing_since", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("id", String(36), primary_key=True),
    Column("subscription_id", String(36), ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
           nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("subject", String(64), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("locked_until", DateTime, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_attempt_at", DateTime, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_latency_ms", Integer, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("completed_at", DateTime, nullable=True),
    UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_subscription_event"),
    Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_subject", "subscription_id", "subject", "sequence"),
)

webhook_attempts = Table(
    "webhook_attempts", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("delivery_id", String(36), ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("attempted_at", DateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("error", String(300), nullable=True),
)
