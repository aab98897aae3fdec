"""Through the consumer to a real SMTP server: both parties read how the call happens, the invite carries it in
LOCATION/URL, every mail names the practice's phone and email, and a verified contact request is acknowledged."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from services.notifications.service_layer import email_outbox, reminders
from tests.integration.notifications.conftest import PRACTICE, apply
from tests.support.smtp import calendar_parts

pytestmark = pytest.mark.integration
START = datetime(2026, 3, 30, 16, 0, tzinfo=UTC)  # 12:00 in New York (EDT)
CONTACT = "call +1 206 555 0142 or email hello@practice.test"


@pytest.fixture
def notifications(make_container, mailbox, clock):
    container = make_container("notifications", clock=clock, SMTP_URL=mailbox.url, PRACTICE_INBOX=PRACTICE,
                               PRACTICE_PHONE="+1 206 555 0142", PRACTICE_EMAIL="hello@practice.test")
    yield container
    container.extra["dispatcher"].close()


def text(message) -> str:
    found = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return found.get_payload(decode=True).decode()


def vevent(message):
    [ics] = calendar_parts(message)
    return next(c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT")


def test_a_phone_call_is_said_to_both_parties_in_the_invite_and_in_the_reminder(notifications, events, mailbox, clock):
    clinician = events.clinician("America/New_York", call={"method": "phone"})
    apply(notifications, clinician)
    confirmed = events.confirmed(clinician["subject"], START, client={
        "name": "Robin Example", "email": "robin@client.test", "phone": "+1 212 555 0199",
        "time_zone": "America/New_York"})
    apply(notifications, confirmed)
    email_outbox.send_due(notifications)

    [to_client] = mailbox.to("robin@client.test")
    body = text(to_client)
    assert "When: Monday, March 30, 2026, 12:00–12:15 PM EDT (America/New_York)" in body, "en-US: a 12-hour clock"
    assert "How: Dr Ada Winter will call you at +1 212 555 0199." in body and CONTACT in body
    event = vevent(to_client)
    assert str(event["location"]) == "Phone call: Dr Ada Winter calls you at +1 212 555 0199"
    assert f"/#/manage/{confirmed['subject']}?token=mt_secret-token" in str(event["url"])
    assert "will call you at +1 212 555 0199" in str(event["description"])
    [to_clinician] = mailbox.to(clinician["data"]["email"])
    assert "How: Please call Robin Example at +1 212 555 0199." in text(to_clinician) and CONTACT in text(to_clinician)

    clock.at = datetime(2026, 3, 30, 15, 1, tzinfo=UTC)  # the hour-ahead reminder is due
    reminders.queue_due(notifications)
    email_outbox.send_due(notifications)
    reminder = [m for m in mailbox.to("robin@client.test") if "Reminder" in m["Subject"]]
    assert reminder and "How: Dr Ada Winter will call you at +1 212 555 0199." in text(reminder[-1])


def test_a_video_call_gives_both_parties_the_same_link_and_the_invite_its_location(notifications, events, mailbox):
    clinician = events.clinician("America/New_York", call={"method": "video"})
    apply(notifications, clinician)
    apply(notifications, events.confirmed(clinician["subject"], START))
    email_outbox.send_due(notifications)

    [to_clinician] = mailbox.to(clinician["data"]["email"])
    [to_client] = [m for rcpts, m in mailbox.messages if m is not to_clinician]
    event = vevent(to_client)
    link = str(event["location"])
    assert link.startswith("https://meet.jit.si/attune-") and str(event["url"]) == link
    assert f"How: Join by video: {link}" in text(to_client) and f"How: Join by video: {link}" in text(to_clinician)


def test_a_verified_contact_request_gets_an_acknowledgement_with_the_practices_contact(notifications, events,
                                                                                          mailbox):
    request = events.contact_request(email_address="sam@client.test")
    apply(notifications, request)
    rid = request["subject"]
    email_outbox.send_due(notifications)
    assert all("We have your request" not in m["Subject"] for m in mailbox.to("sam@client.test"))

    verified = events.make("contact_request.verified", rid, {"contact_request_id": rid, "status": "open"})
    apply(notifications, verified)
    apply(notifications, verified)  # redelivered: one mail
    email_outbox.send_due(notifications)

    [ack] = [m for m in mailbox.to("sam@client.test") if "We have your request" in m["Subject"]]
    assert "What happens next" in text(ack) and CONTACT in text(ack)
    [to_practice] = mailbox.to(PRACTICE)
    assert CONTACT in text(to_practice)
