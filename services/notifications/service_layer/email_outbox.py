"""The email outbox: rows written in the consumer's transaction, sent later by the sender job.

Sending happens after commit, row by row: claim a batch under a lease (several workers never take
one row twice; a lease whose worker process is gone is free at once), send, then mark it sent and
emit `notification.sent` in one short transaction prepared before the send, so only a crash between
the SMTP answer and that commit could send one mail twice, and then as the same message: a row's id,
and so its Message-ID, follows from its unique `dedup_key` per (booking, kind, recipient), so a
redelivered or repeated event writes no second row and a resend is one message to the mail system.
"""
from __future__ import annotations

import functools
import logging
import uuid

from sqlalchemy import insert, or_, select, update

from services.notifications.adapters.mailer import (
    PermanentMailError,
    TransientMailError,
    build_message,
    mailer_for,
)
from services.notifications.adapters.orm import emails
from services.notifications.domain.kinds import role_kind
from services.notifications.domain.policy import EMAIL_LEASE, EMAIL_RETRY, EMAIL_SEND_WINDOW
from services.notifications.service_layer import compose
from shared import metrics, process_owner, tracing
from shared.clock import naive_utc, utc

log = logging.getLogger("attune.notifications.email")
MESSAGE_IDS = uuid.UUID("5d0e8a52-3c1f-4f8e-9a53-6f1d8f0a2b7e")  # uuid5 namespace of email ids


def email_id(dedup_key: str) -> str:
    """The row's id, and the Message-ID's left part: the same mail is always the same message."""
    return str(uuid.uuid5(MESSAGE_IDS, dedup_key[:200]))


def enqueue(session, now, *, dedup_key: str, kind: str, role: str, recipient: str, content: dict,
            booking_id: str | None = None, contact_request_id: str | None = None, expires_at=None) -> bool:
    """Adds one email unless its dedup key is known; `content` has subject, text, html and maybe ics."""
    if session.execute(select(emails.c.id).where(emails.c.dedup_key == dedup_key)).first():
        return False
    session.execute(insert(emails).values(
        id=email_id(dedup_key), dedup_key=dedup_key[:200], kind=role_kind(kind, role), recipient_role=role,
        recipient=recipient, subject=content["subject"][:300], text_body=content["text"], html_body=content["html"],
        ics=content.get("ics"), ics_method=content.get("ics_method"), booking_id=booking_id,
        contact_request_id=contact_request_id, status="pending", attempts=0, next_attempt_at=naive_utc(now),
        expires_at=naive_utc(expires_at) if expires_at else None, created_at=naive_utc(now),
        traceparent=tracing.current()))
    return True


def claim(db, now, limit: int = 50) -> list:
    """Due pending rows, leased to this worker (FOR UPDATE SKIP LOCKED on PostgreSQL); rows leased by
    a worker process that is gone (SIGKILLed) are taken at once, not after the lease runs out."""
    t, at = emails, naive_utc(now)
    with db.write() as s:
        free = or_(t.c.locked_until.is_(None), t.c.locked_until <= at, t.c.locked_by.in_(_gone_owners(s, at)))
        rows = list(s.execute(select(t).where(t.c.status == "pending", t.c.next_attempt_at <= at, free)
                              .order_by(t.c.next_attempt_at).limit(limit).with_for_update(skip_locked=True)))
        if rows:
            s.execute(update(t).where(t.c.id.in_([r.id for r in rows]))
                      .values(locked_until=at + EMAIL_LEASE, locked_by=process_owner.current()))
    return rows


def _gone_owners(session, at) -> list[str]:
    leased = select(emails.c.locked_by).where(emails.c.status == "pending", emails.c.locked_until > at).distinct()
    return [o for o in session.execute(leased).scalars() if process_owner.gone(o)]


def send_due(container, limit: int = 50) -> int:
    """The sender job: sends what is due; returns how many rows it tried."""
    claimed_at = container.clock.now()
    rows = claim(container.db, claimed_at, limit)
    if not rows:
        return 0
    done: set[str] = set()
    try:
        with container.extra.get("mailer", mailer_for(container.settings)).connection() as conn:
            for row in rows:
                if container.clock.now() - claimed_at >= EMAIL_SEND_WINDOW:
                    break  # the lease is running out: the rest goes back, to be claimed afresh
                with tracing.span("send email", row.traceparent, kind="client",
                                  attributes={"attune.notification.kind": row.kind}):
                    _send_one(container, conn, row)
                done.add(row.id)
    except TransientMailError as e:  # the server is away: every unsent row waits for its next try
        for row in rows:
            if row.id not in done:
                record_failure(container, row, str(e), permanent=False)
                done.add(row.id)
    release(container.db, [row.id for row in rows if row.id not in done])
    return len(done)


def release(db, ids: list[str]) -> None:
    """Gives leased rows back unsent, due now."""
    if ids:
        with db.write() as s:
            s.execute(update(emails).where(emails.c.id.in_(ids), emails.c.status == "pending")
                      .values(locked_until=None, locked_by=None))


def _send_one(container, conn, row) -> None:
    now = container.clock.now()
    if row.expires_at and naive_utc(now) >= row.expires_at:
        return record_failure(container, row, "expired before it could be sent", permanent=True)
    s = container.settings
    try:
        msg = build_message(row, (s.practice_name, s.practice_inbox), utc(now),
                            functools.partial(compose.reveal, s))
    except (ValueError, TypeError) as e:
        return record_failure(container, row, f"unbuildable message: {type(e).__name__}", permanent=True)
    sent = container.outbox.row("notification.sent", row.id, 1, _event_data(row, row.attempts + 1), now)[1]
    try:
        conn.send(msg)
    except PermanentMailError as e:
        return record_failure(container, row, str(e), permanent=True)
    except TransientMailError as e:
        return record_failure(container, row, str(e), permanent=False)
    record_sent(container, row, sent)  # first: each step before the commit widens the window for a resend
    metrics.email(s.service, row.kind, "sent")


def _event_data(row, attempts: int, error: str | None = None) -> dict:
    data = {"notification_id": row.id, "kind": row.kind, "channel": "email", "recipient_role": row.recipient_role,
            "booking_id": row.booking_id, "contact_request_id": row.contact_request_id, "attempts": attempts}
    return {**data, "error": error} if error else data


def record_sent(container, row, event_row: dict) -> None:
    """Marks the row sent with its `notification.sent` outbox row (made before the send: the one
    final event of the mail, sequence 1), in as short a transaction as the database allows."""
    with container.db.write() as s:
        s.execute(update(emails).where(emails.c.id == row.id).values(
            status="sent", sent_at=naive_utc(container.clock.now()), attempts=row.attempts + 1, locked_until=None,
            locked_by=None, last_error=None))
        container.outbox.write(s, [event_row])
    log.info("email sent", extra={"notification_id": row.id, "kind": row.kind, "attempts": row.attempts + 1})


def record_failure(container, row, error: str, permanent: bool) -> None:
    now, attempts = container.clock.now(), row.attempts + 1
    final = permanent or EMAIL_RETRY.gives_up(utc(now) - utc(row.created_at))
    values = {"attempts": attempts, "locked_until": None, "locked_by": None, "last_error": error[:200]}
    if final:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = naive_utc(now + EMAIL_RETRY.delay(attempts))
    with container.db.write() as s:
        s.execute(update(emails).where(emails.c.id == row.id).values(**values))
        if final:
            container.outbox.add(s, "notification.failed", row.id, _event_data(row, attempts, error[:200]), now)
    metrics.email(container.settings.service, row.kind, "failed" if final else "retrying")
    log.warning("email failed" if final else "email retry later",
                extra={"notification_id": row.id, "kind": row.kind, "attempts": attempts, "error": error[:200]})
