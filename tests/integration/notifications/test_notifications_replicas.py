"""Two notifications workers at once (issue 17: every scheduled job safe with N of them): webhook
deliveries and their retries go out once per attempt, and retention deletes once without errors."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.notifications.adapters.orm import emails, webhook_deliveries
from services.notifications.service_layer import email_outbox, retention
from tests.integration.notifications.conftest import NOW, apply
from tests.integration.notifications.test_notifications_webhooks import api, subscribe  # noqa: F401 - fixture

pytestmark = pytest.mark.integration
START = NOW + timedelta(days=2)


def at_once(*jobs) -> None:
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        barrier.wait()
        try:
            job()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []


def dispatch(container) -> int:
    return container.extra["dispatcher"].dispatch_once(wait_for_answers=True)


def count(container, table, **where) -> int:
    with container.db.read() as s:
        q = select(func.count()).select_from(table)
        for column, value in where.items():
            q = q.where(table.c[column] == value)
        return s.execute(q).scalar()


def test_two_workers_deliver_each_webhook_and_each_retry_once(api, admin_headers, notifications,  # noqa: F811
                                                              second_worker, events, receiver, clock):
    subscribe(api, admin_headers, receiver.url())
    receiver.script = [500] * 6
    clinician = events.clinician()
    apply(notifications, clinician)
    for i in range(6):
        apply(notifications, events.confirmed(clinician["subject"], START + timedelta(hours=i)))
    other = second_worker()

    for _ in range(3):  # a worker sends a few of one subscription's deliveries at a time
        at_once(lambda: dispatch(notifications), lambda: dispatch(other), lambda: dispatch(other))
    first = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert len(first) == len(set(first)) == 6, "each delivery's first attempt went out once"
    clock.advance(minutes=10)  # every first retry is due
    for _ in range(3):
        at_once(lambda: dispatch(other), lambda: dispatch(notifications), lambda: dispatch(notifications))

    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    assert len(ids) == 12 and all(ids.count(i) == 2 for i in set(ids)), "one retry each, none doubled"
    assert count(notifications, webhook_deliveries, status="succeeded") == 6


def test_two_workers_pruning_at_once_delete_old_records_once_without_errors(notifications, second_worker, events,
                                                                           mailbox, clock):
    clinician = events.clinician()
    apply(notifications, clinician)
    apply(notifications, events.confirmed(clinician["subject"], START))
    email_outbox.send_due(notifications)
    assert count(notifications, emails, status="sent") == 2
    other = second_worker()
    clock.advance(days=400)

    at_once(lambda: retention.prune(notifications), lambda: retention.prune(other),
            lambda: retention.prune(other))

    assert count(notifications, emails) == 0
