"""Applies `client_data.erased`: this service forgets the client details it keeps of those bookings and
contact requests (stored mail and its .eml files, projections, reminders, webhook deliveries)."""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, or_, select, update

from services.notifications.adapters.mailer import FileMailer
from services.notifications.adapters.orm import (
    bookings,
    contact_requests,
    emails,
    reminders,
    webhook_attempts,
    webhook_deliveries,
)

log = logging.getLogger("attune.notifications.erasure")


def on_erased(container, session, event: dict, data: dict) -> None:
    booking_ids, request_ids = list(data["booking_ids"]), list(data["contact_request_ids"])
    mails = list(session.scalars(select(emails.c.id).where(or_(emails.c.booking_id.in_(booking_ids),
                                                                emails.c.contact_request_id.in_(request_ids)))))
    if mails:
        session.execute(delete(emails).where(emails.c.id.in_(mails)))
    session.execute(delete(reminders).where(reminders.c.booking_id.in_(booking_ids)))
    session.execute(update(bookings).where(bookings.c.booking_id.in_(booking_ids)).values(
        client_name=None, client_email=None, client_phone=None, client_time_zone=None, manage_token=None,
        manage_url=None))
    session.execute(delete(contact_requests).where(contact_requests.c.contact_request_id.in_(request_ids)))
    deliveries = select(webhook_deliveries.c.id).where(webhook_deliveries.c.subject.in_(booking_ids + request_ids))
    session.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(deliveries)))
    session.execute(delete(webhook_deliveries).where(webhook_deliveries.c.subject.in_(booking_ids + request_ids)))
    mailer = container.extra.get("mailer")
    if isinstance(mailer, FileMailer):
        older = timedelta(days=container.settings.retention_days) if data["basis"] == "retention" else None
        _forget_files(mailer.directory, mails, container.clock.now().timestamp() - older.total_seconds()
                      if older else None)
    log.info("client details erased", extra={"erasure_id": data["erasure_id"], "count": len(mails)})


def _forget_files(directory: Path, mail_ids: list[str], before: float | None) -> None:
    """The development mailer's .eml files of those mails, and (after retention) any older than that."""
    if not directory.is_dir():
        return
    for mail_id in mail_ids:
        (directory / f"{mail_id}.eml").unlink(missing_ok=True)
    if before is not None:
        for path in directory.glob("*.eml"):
            if path.stat().st_mtime < before:
                path.unlink(missing_ok=True)
