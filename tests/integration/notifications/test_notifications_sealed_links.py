"""The manage token reaches only the client's inbox: sealed in the event, in the projection and in every
stored mail (confirmation, invite, reminder), opened only as each message is built."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from services.notifications.adapters.orm import bookings, emails
from services.notifications.service_layer import email_outbox, reminders
from tests.integration.notifications.conftest import NOW, apply
from tests.integration.notifications.test_notifications_email import html, text

pytestmark = pytest.mark.integration
START = NOW + timedelta(days=3)
TOKEN = "mt_secret-token"  # what the Events builder seals


def stored(container) -> str:
    with container.db.read() as s:
        mails = [" ".join(str(v) for v in row) for row in s.execute(select(emails))]
        projected = [" ".join(str(v) for v in row) for row in s.execute(select(bookings))]
    return "\n".join(mails + projected)


def test_stored_mails_and_the_projection_keep_the_manage_token_sealed_and_sent_mails_carry_the_link(
        notifications, events, mailbox, clock):
    clinician = events.clinician("Europe/Berlin")
    confirmed = events.confirmed(clinician["subject"], START)
    apply(notifications, clinician)
    apply(notifications, confirmed)
    client, booking_id = confirmed["data"]["client"]["email"], confirmed["subject"]

    email_outbox.send_due(notifications)
    clock.at = START - timedelta(hours=24)
    reminders.queue_due(notifications)
    email_outbox.send_due(notifications)

    assert TOKEN not in stored(notifications) and "{sealed:gAAAAA" in stored(notifications)
    confirmation, reminder = mailbox.to(client)
    link = f"/#/manage/{booking_id}?token={TOKEN}"
    for mail in (confirmation, reminder):
        assert f"{link}&action=cancel" in text(mail) and f"{link}&amp;action=reschedule" in html(mail)
        assert "{sealed:" not in mail.as_string()
    ics = next(p for p in confirmation.walk() if p.get_content_type() == "text/calendar")
    unfolded = ics.get_payload(decode=True).decode().replace("\r\n ", "")
    assert "Reschedule or cancel: http" in unfolded and link in unfolded
    assert all(len(line.encode()) <= 75 for line in ics.get_payload(decode=True).decode().split("\r\n"))


def test_a_token_sealed_under_another_key_gives_a_mail_without_a_link_never_a_broken_one(
        make_container, events, clock, mailbox):
    other_key = make_container("notifications", clock=clock, SMTP_URL=mailbox.url,
                               ATTUNE_SECRET_KEY="another-secret-key-0123456789abcdef")
    clinician = events.clinician("Europe/Berlin")
    apply(other_key, clinician)
    apply(other_key, events.confirmed(clinician["subject"], START))

    email_outbox.send_due(other_key)

    client_mails = [m for m in mailbox.messages if m[1]["X-Attune-Notification"] == "booking_confirmed_client"]
    assert client_mails and "{sealed:" not in client_mails[0][1].as_string()
    assert "?token=" not in text(client_mails[0][1]), "no link when the token cannot be opened"
