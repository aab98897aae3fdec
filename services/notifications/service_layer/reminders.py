"""Reminder rows: scheduled on confirmation, moved with the booking, dropped on cancellation.

Rows live in the database, so they survive restarts; the job turns each due row into one email
row and marks it in the same transaction, so several workers never send a reminder twice.
"""
from __future__ import annotations

from sqlalchemy import and_, insert, select, update

from services.notifications.adapters.orm import reminders
from services.notifications.domain import reminders as rules
from services.notifications.service_layer import compose, email_outbox, projections
from shared.clock import isoformat, naive_utc, utc


def sync(session, booking, now) -> None:
    """Makes the pending reminders match the booking as it now stands (any event order)."""
    t = reminders
    pending = and_(t.c.booking_id == booking.booking_id, t.c.status == "pending")
    stale = pending if booking.status != "confirmed" else and_(pending, t.c.start_at != booking.start_at)
    session.execute(update(t).where(stale).values(status="dropped"))
    if booking.status != "confirmed":
        return
    for kind, due in rules.due_ahead(utc(booking.start_at), now).items():
        key = and_(t.c.booking_id == booking.booking_id, t.c.kind == kind, t.c.start_at == booking.start_at)
        status = session.execute(select(t.c.status).where(key)).scalar()
        if status is None:
            session.execute(insert(t).values(booking_id=booking.booking_id, kind=kind, start_at=booking.start_at,
                                             due_at=naive_utc(due), status="pending"))
        elif status == "dropped":  # moved away and back again
            session.execute(update(t).where(key).values(status="pending"))


def queue_due(container, limit: int = 100) -> int:
    """The reminder job: each due reminder becomes one email (or is skipped) exactly once."""
    now = container.clock.now()
    with container.db.write() as s:
        due = list(s.execute(select(reminders).where(reminders.c.status == "pending", reminders.c.due_at <= naive_utc(now))
                             .order_by(reminders.c.due_at).limit(limit).with_for_update(skip_locked=True)))
        for row in due:
            status = _queue_one(container, s, row, now)
            s.execute(update(reminders).where(reminders.c.id == row.id).values(status=status))
    return len(due)


def _queue_one(container, session, row, now) -> str:
    booking = projections.booking(session, row.booking_id)
    if booking is None or booking.status != "confirmed" or booking.start_at != row.start_at:
        return "dropped"
    if rules.outcome(row.kind, utc(row.start_at), now) == "skip" or not booking.client_email:
        return "skipped"
    view = projections.booking_view(session, booking)
    content = compose.for_client(container.settings, view, row.kind, now)
    email_outbox.enqueue(session, now, dedup_key=f"booking:{row.booking_id}:{row.kind}:{isoformat(row.start_at)}",
                         kind=row.kind, role="client", recipient=booking.client_email, content=content,
                         booking_id=row.booking_id, expires_at=utc(row.start_at))
    return "queued"
