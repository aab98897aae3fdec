"""The worker's scheduled jobs; each is safe to run in several workers at once."""
from __future__ import annotations

from services.notifications.service_layer import email_outbox, reminders, retention


def send_emails(container) -> None:
    while email_outbox.send_due(container) == 50:  # a backlog goes out in one run
        pass


def queue_reminders(container) -> None:
    reminders.queue_due(container)


def deliver_webhooks(container) -> None:
    container.extra["dispatcher"].dispatch_once()


def prune(container) -> None:
    retention.prune(container)
