"""Forgets what is no longer needed: sent mail (it holds client details), old delivery logs, past
bookings' projections and old contact requests."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from services.notifications.adapters.orm import (
    bookings,
    contact_requests,
    emails,
    reminders,
    webhook_attempts,
    webhook_deliveries,
)
from shared.clock import naive_utc

KEEP_LOGS = timedelta(days=30)
KEEP_CONTACT_REQUESTS = timedelta(days=180)


def prune(container) -> None:
    now = naive_utc(container.clock.now())
    done = now - KEEP_LOGS
    with container.db.write() as s:
        s.execute(delete(emails).where(emails.c.status.in_(("sent", "failed")), emails.c.created_at < done))
        old = select(webhook_deliveries.c.id).where(webhook_deliveries.c.status.in_(("succeeded", "failed")),
                                                    webhook_deliveries.c.completed_at < done)
        s.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(old)))
        s.execute(delete(webhook_deliveries).where(webhook_deliveries.c.id.in_(old)))
        past = select(bookings.c.booking_id).where(bookings.c.end_at < done)
        s.execute(delete(reminders).where(reminders.c.booking_id.in_(past)))
        s.execute(delete(bookings).where(bookings.c.end_at < done))
        s.execute(delete(contact_requests).where(contact_requests.c.created_at < now - KEEP_CONTACT_REQUESTS))
