"""Reminders 24 hours and 1 hour before the call: durable rows, sent once, moved and dropped with the booking."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from services.notifications.service_layer import email_outbox, reminders
from tests.integration.notifications.conftest import NOW, apply, subject

pytestmark = pytest.mark.integration
START = NOW + timedelta(days=3, hours=-4)  # Monday 30 March 08:00 UTC, 10:00 in Berlin after the DST switch


def kinds(mailbox, address: str) -> list[str]:
    return [m["X-Attune-Notification"] for m in mailbox.to(address)]


def run(container, clock, at) -> None:
    clock.at = at
    reminders.queue_due(container)
    email_outbox.send_due(container)


def booked(container, events, start):
    clinician = events.clinician("Europe/Berlin")
    confirmed = events.confirmed(clinician["subject"], start)
    apply(container, clinician)
    apply(container, confirmed)
    return confirmed, confirmed["data"]["client"]["email"]


def at_once(*jobs) -> None:
    threads = [threading.Thread(target=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


def test_reminders_go_out_a_day_and_an_hour_before_the_call_once_each(notifications, events, mailbox, clock):
    _, client = booked(notifications, events, START)
    run(notifications, clock, NOW)
    run(notifications, clock, START - timedelta(hours=24, minutes=1))
    assert kinds(mailbox, client) == ["booking_confirmed_client"]

    run(notifications, clock, START - timedelta(hours=24))
    run(notifications, clock, START - timedelta(hours=23))
    assert kinds(mailbox, client)[1:] == ["reminder_24h"]
    day_before = mailbox.to(client)[1]
    assert "tomorrow" in subject(day_before) and "Mon 30 Mar 10:00 CEST" in subject(day_before)

    run(notifications, clock, START - timedelta(minutes=59))
    run(notifications, clock, START + timedelta(hours=2))
    assert kinds(mailbox, client)[1:] == ["reminder_24h", "reminder_1h"]


def test_a_moved_booking_moves_its_reminders_and_a_cancelled_one_drops_them(notifications, events, mailbox, clock):
    confirmed, client = booked(notifications, events, START)
    later = START + timedelta(days=2)
    apply(notifications, events.rescheduled(confirmed, later, START))

    run(notifications, clock, START - timedelta(hours=24))
    run(notifications, clock, START - timedelta(minutes=30))
    assert "reminder_24h" not in kinds(mailbox, client) and "reminder_1h" not in kinds(mailbox, client)

    run(notifications, clock, later - timedelta(hours=24))
    assert kinds(mailbox, client)[-1] == "reminder_24h"
    assert "Wed 1 Apr 10:00 CEST" in subject(mailbox.to(client)[-1])

    apply(notifications, events.cancelled(confirmed, later))
    run(notifications, clock, later - timedelta(minutes=30))
    assert kinds(mailbox, client) == ["booking_confirmed_client", "booking_rescheduled_client", "reminder_24h",
                                      "booking_cancelled_client"]


def test_only_reminders_still_ahead_are_scheduled_and_none_after_the_call_began(notifications, events, mailbox, clock):
    _, soon = booked(notifications, events, NOW + timedelta(hours=5))
    _, missed = booked(notifications, events, NOW + timedelta(hours=3))
    run(notifications, clock, NOW + timedelta(hours=4, minutes=1))  # the worker was down past the second call

    assert kinds(mailbox, soon) == ["booking_confirmed_client", "reminder_1h"]
    assert kinds(mailbox, missed) == ["booking_confirmed_client"]


def test_reminders_survive_a_restart_and_two_workers_send_each_one_once(
        notifications, second_worker, events, mailbox, clock):
    _, client = booked(notifications, events, START)
    email_outbox.send_due(notifications)
    restarted, other = second_worker(), second_worker()

    clock.at = START - timedelta(hours=24)
    at_once(lambda: reminders.queue_due(restarted), lambda: reminders.queue_due(other))
    at_once(lambda: email_outbox.send_due(restarted), lambda: email_outbox.send_due(other))
    run(restarted, clock, START - timedelta(hours=23))

    assert kinds(mailbox, client) == ["booking_confirmed_client", "reminder_24h"]


def test_two_workers_sending_at_once_send_each_email_once(notifications, second_worker, events, mailbox):
    clients = [booked(notifications, events, START + timedelta(hours=i))[1] for i in range(8)]
    other = second_worker()

    at_once(lambda: email_outbox.send_due(notifications, limit=5), lambda: email_outbox.send_due(other, limit=5),
            lambda: email_outbox.send_due(other, limit=5), lambda: email_outbox.send_due(notifications, limit=5))

    assert len(mailbox.messages) == 16
    assert all(kinds(mailbox, c) == ["booking_confirmed_client"] for c in clients)
