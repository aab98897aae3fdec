"""Webhook deliveries: one row per (subscription, event), its attempts, and what each outcome does.

Order: a delivery waits while an earlier event (lower `sequence`) of the same subject is still
pending for the same subscription, so one integrator sees one subject's events in order, as far
as they reached this service in order. Every delivery keeps its event id as `webhook-id`, so an
integrator drops the rare duplicate (a worker dying between the answer and the record).
"""
from __future__ import annotations

import json
import uuid

from sqlalchemy import and_, exists, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from services.notifications.adapters.orm import webhook_attempts as attempts_t
from services.notifications.adapters.orm import webhook_deliveries as dl
from services.notifications.adapters.orm import webhook_subscriptions as subs
from services.notifications.domain.kinds import WEBHOOK_DISABLED_PRACTICE
from services.notifications.domain.patterns import matches
from services.notifications.domain.privacy import webhook_view
from services.notifications.service_layer import compose, email_outbox
from services.notifications.service_layer.webhooks import NotFound, get_row
from shared import metrics
from shared.clock import isoformat, naive_utc, utc


def record(container, session, event: dict, data: dict) -> None:
    """Handler of the webhook queue: a pending delivery per active subscription that wants the event."""
    now = naive_utc(container.clock.now())
    for sub in session.execute(select(subs).where(subs.c.status == "active")):
        if not matches(json.loads(sub.events), event["type"]):
            continue
        body = json.dumps(webhook_view(event, sub.include_client_details), separators=(",", ":"))
        session.execute(insert(dl).values(
            id=str(uuid.uuid4()), subscription_id=sub.id, event_id=event["id"], event_type=event["type"],
            subject=event["subject"], sequence=event["sequence"], body=body, status="pending", attempts=0,
            next_attempt_at=now, created_at=now))


def claim(db, now, policy, busy: dict[str, int], limit: int = 200) -> list:
    """Due deliveries of active subscriptions, first of their subject, leased; at most
    `policy.in_flight_per_subscription` per subscription counting those `busy` in this worker."""
    at, earlier = naive_utc(now), aliased(dl)
    blocked = exists().where(earlier.c.subscription_id == dl.c.subscription_id, earlier.c.subject == dl.c.subject,
                             earlier.c.status == "pending", earlier.c.sequence < dl.c.sequence)
    query = (select(dl, subs.c.url, subs.c.secret).join(subs, subs.c.id == dl.c.subscription_id)
             .where(dl.c.status == "pending", dl.c.next_attempt_at <= at, subs.c.status == "active",
                    or_(dl.c.locked_until.is_(None), dl.c.locked_until <= at), ~blocked)
             .order_by(dl.c.next_attempt_at, dl.c.sequence).limit(limit).with_for_update(skip_locked=True, of=dl))
    with db.write() as s:
        chosen, counts = [], dict(busy)
        for row in s.execute(query):
            if counts.get(row.subscription_id, 0) < policy.in_flight_per_subscription:
                counts[row.subscription_id] = counts.get(row.subscription_id, 0) + 1
                chosen.append(row)
        if chosen:
            s.execute(update(dl).where(dl.c.id.in_([r.id for r in chosen])).values(locked_until=at + policy.lease))
    return chosen


def record_outcome(container, row, outcome, policy) -> None:
    """Logs the attempt; success ends the delivery, 410 disables the subscription, else retry later."""
    now = container.clock.now()
    with container.db.write() as s:
        current = s.execute(select(dl.c.attempts, dl.c.status).where(dl.c.id == row.id)).first()
        if current is None:  # deleted with its subscription meanwhile
            return
        tries = current.attempts + 1
        s.execute(insert(attempts_t).values(delivery_id=row.id, attempted_at=naive_utc(now), status_code=outcome.status_code,
                                            latency_ms=outcome.latency_ms, error=outcome.error))
        values = {"attempts": tries, "locked_until": None, "last_attempt_at": naive_utc(now),
                  "last_status_code": outcome.status_code, "last_latency_ms": outcome.latency_ms,
                  "last_error": outcome.error}
        if outcome.ok:
            values.update(status="succeeded", completed_at=naive_utc(now))
            s.execute(update(subs).where(subs.c.id == row.subscription_id)
                      .values(consecutive_failures=0, failing_since=None))
        elif outcome.status_code == 410:
            values.update(status="failed", completed_at=naive_utc(now))
            _disable(container, s, row.subscription_id, "the endpoint answered 410 Gone", now)
        else:
            values.update(_retry_or_give_up(row, tries, now, policy))
            _count_failure(container, s, row.subscription_id, now, policy)
        s.execute(update(dl).where(dl.c.id == row.id).values(**values))
    metrics.webhook(container.settings.service,
                    {"succeeded": "sent", "failed": "failed"}.get(values.get("status"), "retrying"))


def _retry_or_give_up(row, tries: int, now, policy) -> dict:
    if policy.retry.gives_up(utc(now) - utc(row.created_at)):
        return {"status": "failed", "completed_at": naive_utc(now)}
    return {"next_attempt_at": naive_utc(now + policy.retry.delay(tries))}


def _count_failure(container, session, sub_id: str, now, policy) -> None:
    session.execute(update(subs).where(subs.c.id == sub_id).values(
        consecutive_failures=subs.c.consecutive_failures + 1,
        failing_since=func.coalesce(subs.c.failing_since, naive_utc(now))))
    sub = get_row(session, sub_id)
    if policy.should_disable(sub.consecutive_failures, utc(now) - utc(sub.failing_since)):
        _disable(container, session, sub_id, f"{sub.consecutive_failures} failed deliveries in a row since "
                                             f"{isoformat(sub.failing_since)}", now)


def _disable(container, session, sub_id: str, reason: str, now) -> None:
    """Disables an active subscription once, and tells the practice inbox."""
    done = session.execute(update(subs).where(subs.c.id == sub_id, subs.c.status == "active")
                           .values(status="disabled", disabled_reason=reason[:300], updated_at=naive_utc(now)))
    if done.rowcount != 1:
        return
    sub, s = get_row(session, sub_id), container.settings
    email_outbox.enqueue(session, now, dedup_key=f"webhook:{sub_id}:disabled:{isoformat(now)}",
                         kind=WEBHOOK_DISABLED_PRACTICE, role="practice", recipient=s.practice_inbox,
                         content=compose.webhook_disabled(s, sub, reason))


def listing(session, sub_id: str, status: str | None, limit: int) -> list[dict]:
    get_row(session, sub_id)
    query = select(dl).where(dl.c.subscription_id == sub_id)
    if status:
        query = query.where(dl.c.status == status)
    rows = list(session.execute(query.order_by(dl.c.created_at.desc(), dl.c.sequence.desc()).limit(limit)))
    history = _history(session, [r.id for r in rows])
    return [view(r, history[r.id]) for r in rows]


def _history(session, ids: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {i: [] for i in ids}
    for a in session.execute(select(attempts_t).where(attempts_t.c.delivery_id.in_(ids)).order_by(attempts_t.c.id)):
        out[a.delivery_id].append({"attempted_at": a.attempted_at, "status_code": a.status_code,
                                   "latency_ms": a.latency_ms, "error": a.error})
    return out


def view(row, history: list[dict]) -> dict:
    return {"id": row.id, "event_id": row.event_id, "event_type": row.event_type, "subject": row.subject,
            "sequence": row.sequence, "status": row.status, "attempt_count": row.attempts,
            "next_attempt_at": row.next_attempt_at if row.status == "pending" else None,
            "created_at": row.created_at, "completed_at": row.completed_at,
            "last_status_code": row.last_status_code, "last_latency_ms": row.last_latency_ms,
            "attempts": history}


def resend(session, sub_id: str, delivery_id: str, now) -> dict:
    """Queues a delivery again at once, whatever became of it; the same webhook-id goes out."""
    get_row(session, sub_id)
    where = and_(dl.c.id == delivery_id, dl.c.subscription_id == sub_id)
    if session.execute(update(dl).where(where).values(status="pending", next_attempt_at=naive_utc(now),
                                                      locked_until=None, completed_at=None)).rowcount != 1:
        raise NotFound(delivery_id)
    row = session.execute(select(dl).where(dl.c.id == delivery_id)).first()
    return view(row, _history(session, [delivery_id])[delivery_id])
