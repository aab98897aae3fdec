"""The notifications worker on the real broker: events in, one mail each, signed webhooks out,
`notification.sent` published."""
from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from services.notifications.adapters.orm import emails, webhook_deliveries
from services.notifications.service_layer import webhooks
from shared.clock import FrozenClock
from shared.messaging.publisher import ConfirmingPublisher
from shared.runtime import run_worker
from tests.integration.notifications.conftest import PRACTICE, Events
from tests.support.integrator import Integrator
from tests.support.system import wait_until

pytestmark = pytest.mark.integration


def count(container, table, **where) -> int:
    with container.db.read() as s:
        q = select(func.count()).select_from(table)
        for column, value in where.items():
            q = q.where(table.c[column] == value)
        return s.execute(q).scalar()


def test_the_worker_turns_broker_events_into_one_mail_each_and_signed_webhooks(
        make_container, amqp_url, exchange_name, mailbox, receiver):
    clock = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    container = make_container("notifications", clock=clock, SMTP_URL=mailbox.url, PRACTICE_INBOX=PRACTICE)
    with container.db.write() as s:
        sub = webhooks.create(s, container.settings, {"url": receiver.url(), "events": ["booking.*"]}, clock.now())
    pika_url = amqp_url[:-2] + "/%2F" if amqp_url.endswith("//") else amqp_url  # pika reads "//" as vhost ""
    integrator = Integrator(pika_url, exchange_name, "notification.*")
    events = Events(clock)
    clinician = events.clinician("America/Chicago")
    confirmed = events.confirmed(clinician["subject"], clock.now() + timedelta(days=3))
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(container, stop), daemon=True)
    worker.start()
    publisher = ConfirmingPublisher(amqp_url, exchange_name)
    try:
        queues = [f"{container.settings.queue_prefix}notifications.{s.purpose}" for s in container.subscriptions]
        assert wait_until(lambda: all(_exists(amqp_url, q) for q in queues), 20), "the worker declared its queues"
        publisher.publish([json.dumps(e) for e in (clinician, confirmed)])
        publisher.publish([json.dumps(confirmed)])  # the same event again, as a redelivery would bring it
        client = confirmed["data"]["client"]["email"]
        assert wait_until(lambda: mailbox.to(client) and mailbox.to(clinician["data"]["email"]), 20)
        assert wait_until(lambda: receiver.requests, 20)
        assert wait_until(lambda: len(integrator.of("notification.sent")) == 2, 20)
        assert wait_until(lambda: count(container, webhook_deliveries, status="succeeded") == 1, 10)
    finally:
        stop.set()
        worker.join(15)
        publisher.close()
        integrator.stop()
        container.extra["dispatcher"].close()

    assert len(mailbox.to(client)) == 1 and count(container, emails) == 2
    [request] = receiver.requests
    assert Webhook(sub["secret"]).verify(request["body"], request["headers"])["id"] == confirmed["id"]
    sent = json.dumps(integrator.of("notification.sent"))
    assert client not in sent and "Robin" not in sent


def _exists(amqp_url: str, queue: str) -> bool:
    from kombu import Connection

    with Connection(amqp_url) as conn:
        try:
            conn.default_channel.queue_declare(queue, passive=True)
            return True
        except Exception:  # noqa: BLE001 - not declared yet
            return False
