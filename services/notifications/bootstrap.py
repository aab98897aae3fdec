"""Wires the notifications service's real adapters; the web app, the worker and the tests all start here."""
from __future__ import annotations

import functools
from pathlib import Path

from services.notifications.adapters import orm
from services.notifications.adapters.mailer import mailer_for
from services.notifications.domain.policy import WebhookPolicy
from services.notifications.entrypoints import jobs
from services.notifications.service_layer import deliveries, email_handlers
from services.notifications.service_layer.dispatcher import Dispatcher
from shared.events import EVENT_TYPES
from shared.messaging.topology import Subscription
from shared.runtime import Container, Job, build


def bootstrap(settings=None, clock=None, schema=None) -> Container:
    container = build("notifications", orm.metadata, Path(__file__).parent / "migrations", settings, clock, schema)
    container.extra.update(mailer=mailer_for(container.settings), webhook_policy=WebhookPolicy())
    container.extra["dispatcher"] = Dispatcher(container)
    record = functools.partial(deliveries.record, container)
    container.subscriptions = [
        *container.subscriptions,  # build()'s staff-events queue: revoked sessions and deactivated accounts
        Subscription("booking-events", email_handlers.EMAIL_ROUTING_KEYS, email_handlers.handlers(container),
                     ordered=False),
        Subscription("webhook-events", ("#",), {t: record for t in EVENT_TYPES}, ordered=False),
    ]
    container.jobs = [Job("send-emails", jobs.send_emails, 1.0), Job("queue-reminders", jobs.queue_reminders, 5.0),
                      Job("deliver-webhooks", jobs.deliver_webhooks, 0.5), Job("prune", jobs.prune, 3600.0)]
    return container
