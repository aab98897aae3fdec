"""Emails end to end: events in through the consumer, mail out through a real SMTP server."""
from __future__ import annotations

import collections
import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from services.notifications.adapters.mailer import mailer_for
from services.notifications.adapters.orm import emails
from services.notifications.service_layer import email_outbox
from tests.integration.notifications.conftest import PRACTICE, apply, subject
from tests.support.smtp import calendar_parts

pytestmark = pytest.mark.integration
START = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 10:00 in Berlin (CEST), 04:00 in New York


def invite(message) -> Calendar:
    parts = calendar_parts(message)
    assert len(parts) == 1, f"one invite in {message['Subject']!r}"
    return Calendar.from_ical(parts[0])


def vevent(cal: Calendar):
    return next(c for c in cal.walk() if c.name == "VEVENT")


def part(message, content_type: str) -> str:
    found = next(p for p in message.walk() if p.get_content_type() == content_type)
    return found.get_payload(decode=True).decode(found.get_content_charset() or "utf-8")


def text(message) -> str:
    return part(message, "text/plain")


def html(message) -> str:
    return part(message, "text/html")


def published(container, type_: str) -> list[dict]:
    t = container.tables["outbox"]
    with container.db.read() as s:
        return [json.loads(b) for b in s.execute(select(t.c.body).where(t.c.type == type_)).scalars()]


def setup_clinician(container, events, tz="Europe/Berlin") -> dict:
    event = events.clinician(tz)
    apply(container, event)
    return event["data"]


def test_a_confirmed_booking_mails_the_client_an_invite_and_the_clinician_the_client_details(
        notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START)
    client, booking_id = confirmed["data"]["client"], confirmed["subject"]

    apply(notifications, confirmed)
    assert email_outbox.send_due(notifications) == 2

    [to_client] = mailbox.to(client["email"])
    assert "Booked" in subject(to_client) and "Mon 30 Mar 10:00 CEST" in subject(to_client)
    body = text(to_client)
    assert "Monday 30 March 2026, 10:00–10:15 CEST (Europe/Berlin), the clinician's time zone" in body
    assert "08:00–08:15 UTC" in body, "a client whose zone is unknown also reads UTC, labelled"
    assert f"/#/manage/{booking_id}?token=mt_secret-token&action=cancel" in body
    assert f"/#/manage/{booking_id}?token=mt_secret-token&amp;action=reschedule" in html(to_client)
    cal = invite(to_client)
    assert cal["method"] == "REQUEST"
    event = vevent(cal)
    assert str(event["uid"]) == f"{booking_id}@attune" and int(event["sequence"]) == 0
    assert event.decoded("dtstart") == START and event.decoded("dtend") == START + timedelta(minutes=15)
    assert client["email"] in str(event["attendee"]) and PRACTICE in str(event["organizer"])

    [to_clinician] = mailbox.to(clinician["email"])
    assert subject(to_clinician).startswith("New consultation call: Robin Example")
    details = text(to_clinician)
    for shown in (client["email"], client["phone"], "We keep arguing.", "10:00–10:15 CEST (Europe/Berlin)"):
        assert shown in details
    assert not calendar_parts(to_clinician)


def test_each_mail_sent_emits_notification_sent_without_client_details(notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START)
    apply(notifications, confirmed)
    email_outbox.send_due(notifications)

    sent = published(notifications, "notification.sent")
    assert sorted(e["data"]["kind"] for e in sent) == ["booking_confirmed_client", "booking_confirmed_clinician"]
    assert {e["data"]["booking_id"] for e in sent} == {confirmed["subject"]}
    assert all(e["data"]["channel"] == "email" for e in sent)
    raw = json.dumps(sent)
    # the whole phone number: random hex (ids, traceparents) holds "555" about once in a hundred runs
    phone = confirmed["data"]["client"]["phone"]
    for personal in ("Robin", confirmed["data"]["client"]["email"], phone, phone.replace(" ", ""), "mt_secret-token",
                     "arguing"):
        assert personal not in raw


def test_a_client_who_left_a_contact_request_reads_times_in_their_own_zone(notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    request = events.contact_request(tz="America/New_York", email_address="sam@client.test")
    apply(notifications, request)
    confirmed = events.confirmed(clinician["clinician_id"], START,
                                 client={"name": "Sam Seeker", "email": "Sam@Client.test", "phone": None})
    apply(notifications, confirmed)
    email_outbox.send_due(notifications)

    [to_practice] = mailbox.to(PRACTICE)
    assert "Sam Seeker" in subject(to_practice) and "Evenings are hard for us." in text(to_practice)
    [to_client] = mailbox.to("Sam@Client.test")
    body = text(to_client)
    assert "Monday 30 March 2026, 04:00–04:15 EDT (America/New_York)" in body
    assert "UTC" not in body and "Europe/Berlin" not in body


def test_a_move_and_a_cancellation_send_updated_invites_with_the_same_uid_and_a_rising_sequence(
        notifications, events, mailbox):
    clinician = setup_clinician(notifications, events, tz="America/New_York")
    confirmed = events.confirmed(clinician["clinician_id"], START)
    later = START + timedelta(days=1, hours=2)
    client = confirmed["data"]["client"]["email"]

    for event in (confirmed, events.rescheduled(confirmed, later, START), events.cancelled(confirmed, later)):
        apply(notifications, event)
    email_outbox.send_due(notifications)

    confirm_mail, moved_mail, cancel_mail = mailbox.to(client)
    invites = [vevent(invite(m)) for m in (confirm_mail, moved_mail, cancel_mail)]
    assert [invite(m)["method"] for m in (confirm_mail, moved_mail, cancel_mail)] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({str(e["uid"]) for e in invites}) == 1
    assert [int(e["sequence"]) for e in invites] == [0, 1, 2]
    assert invites[1].decoded("dtstart") == later and str(invites[2]["status"]) == "CANCELLED"
    assert "Moved" in subject(moved_mail) and "Tuesday 31 March 2026, 06:00–06:15 EDT" in text(moved_mail)
    assert "Was: Monday 30 March 2026, 04:00–04:15 EDT" in text(moved_mail)
    assert "Cancelled" in subject(cancel_mail) and "found help" in text(cancel_mail)
    kinds = [m["X-Attune-Notification"] for m in mailbox.to(clinician["email"])]
    assert kinds == ["booking_confirmed_clinician", "booking_rescheduled_clinician", "booking_cancelled_clinician"]


def test_a_redelivered_or_repeated_confirmation_sends_one_email_per_recipient(notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START)
    apply(notifications, confirmed)
    apply(notifications, confirmed)  # the broker redelivers it
    apply(notifications, {**confirmed, "id": "another-id-for-the-same-confirmation"})
    email_outbox.send_due(notifications)
    email_outbox.send_due(notifications)

    assert len(mailbox.to(confirmed["data"]["client"]["email"])) == 1
    assert len(mailbox.to(clinician["email"])) == 1


def test_an_smtp_server_down_for_a_while_loses_nothing(make_container, clock, events):
    from tests.integration.notifications.conftest import Mailbox

    box = Mailbox()  # not started yet: nothing listens on its port
    container = make_container("notifications", clock=clock, SMTP_URL=box.url, PRACTICE_INBOX=PRACTICE)
    clinician = setup_clinician(container, events)
    apply(container, events.confirmed(clinician["clinician_id"], START))
    try:
        for _ in range(3):
            email_outbox.send_due(container)
            clock.advance(minutes=30)
        with container.db.read() as s:
            rows = list(s.execute(select(emails)))
        assert {r.status for r in rows} == {"pending"} and all(r.attempts == 3 for r in rows)
        assert not published(container, "notification.failed")

        box.start()
        clock.advance(hours=1)
        assert email_outbox.send_due(container) == 2
        assert len(box.messages) == 2 and len(published(container, "notification.sent")) == 2
    finally:
        box.stop()


def test_a_refused_recipient_fails_once_and_emits_notification_failed_without_the_address(
        notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START)
    mailbox.refuse.add(confirmed["data"]["client"]["email"])
    apply(notifications, confirmed)
    email_outbox.send_due(notifications)
    email_outbox.send_due(notifications)

    [failed] = published(notifications, "notification.failed")
    assert failed["data"]["kind"] == "booking_confirmed_client" and failed["data"]["recipient_role"] == "client"
    assert failed["data"]["attempts"] == 1 and "550" in failed["data"]["error"]
    assert confirmed["data"]["client"]["email"] not in json.dumps(failed)
    assert len(mailbox.to(clinician["email"])) == 1


def test_without_an_smtp_url_each_mail_is_written_as_an_eml_file(make_container, clock, events):
    container = make_container("notifications", clock=clock)
    clinician = setup_clinician(container, events)
    apply(container, events.confirmed(clinician["clinician_id"], START))
    email_outbox.send_due(container)

    files = sorted(container.settings.mail_dir.glob("*.eml"))
    assert len(files) == 2
    import email as email_lib

    messages = [email_lib.message_from_bytes(f.read_bytes()) for f in files]
    assert {m["X-Attune-Notification"] for m in messages} == {"booking_confirmed_client",
                                                              "booking_confirmed_clinician"}
    client_mail = next(m for m in messages if calendar_parts(m))
    assert invite(client_mail)["method"] == "REQUEST"


def test_a_client_whose_request_matched_a_freed_slot_is_offered_it_in_their_zone(notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    request = events.contact_request(tz="America/Los_Angeles", email_address="seeker@client.test",
                                     clinician_id=clinician["clinician_id"])
    apply(notifications, request)
    apply(notifications, events.matched(request, clinician["clinician_id"], START))
    email_outbox.send_due(notifications)

    [offer] = mailbox.to("seeker@client.test")
    assert offer["X-Attune-Notification"] == "slot_offer_client"
    assert "Monday 30 March 2026, 01:00–01:15 PDT (America/Los_Angeles)" in text(offer)
    # the booking page's deep link, which holds the time at once while it is free
    assert f"/?clinician={clinician['clinician_id']}&start=2026-03-30T08" in text(offer) and "Dr Ada Winter" in text(offer)


def test_a_matched_request_without_an_email_asks_the_practice_to_call(notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    request = events.contact_request(email_address=None)
    apply(notifications, request)
    apply(notifications, events.matched(request, clinician["clinician_id"], START))
    email_outbox.send_due(notifications)

    kinds = [m["X-Attune-Notification"] for m in mailbox.to(PRACTICE)]
    assert kinds == ["contact_request_practice", "slot_offer_practice"]
    assert "+1 212 555 0199" in text(mailbox.to(PRACTICE)[1])


def test_html_bodies_escape_what_clients_typed(notifications, events, mailbox):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START, notes="<script>alert(1)</script>")
    apply(notifications, confirmed)
    email_outbox.send_due(notifications)

    body = html(mailbox.to(clinician["email"])[0])
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_sent_mail_and_past_bookings_are_forgotten_after_a_month(notifications, events, mailbox, clock):
    from services.notifications.adapters.orm import bookings
    from services.notifications.service_layer import retention

    clinician = setup_clinician(notifications, events)
    apply(notifications, events.confirmed(clinician["clinician_id"], START))
    email_outbox.send_due(notifications)
    clock.advance(days=20)
    retention.prune(notifications)
    with notifications.db.read() as s:
        assert len(list(s.execute(select(emails.c.id)))) == 2 and s.execute(select(bookings.c.booking_id)).first()

    clock.advance(days=15)
    retention.prune(notifications)
    with notifications.db.read() as s:
        assert list(s.execute(select(emails.c.id))) == [] and s.execute(select(bookings.c.booking_id)).first() is None


def test_mail_leased_by_a_worker_that_died_is_sent_by_another_within_a_minute(notifications, events, mailbox,
                                                                             clock):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START)
    apply(notifications, confirmed)
    assert len(email_outbox.claim(notifications.db, clock.now())) == 2  # then the worker is SIGKILLed

    assert email_outbox.send_due(notifications) == 0, "the lease still holds"
    clock.advance(seconds=61)
    assert email_outbox.send_due(notifications) == 2
    assert len(mailbox.to(confirmed["data"]["client"]["email"])) == 1


def dead_worker() -> str:
    """The process_owner of a process that has exited (a SIGKILLed worker, as the lease sees it)."""
    import subprocess
    import sys
    from pathlib import Path

    from shared import process_owner

    code = "from shared import process_owner; print(process_owner.current())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=str(Path(process_owner.__file__).parents[1])).stdout.strip()


def test_mail_leased_by_a_worker_process_that_is_gone_is_sent_by_another_at_once(notifications, events, mailbox,
                                                                                 clock):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START)
    apply(notifications, confirmed)
    assert len(email_outbox.claim(notifications.db, clock.now())) == 2
    with notifications.db.write() as s:  # ... by a worker that was SIGKILLed since
        s.execute(emails.update().values(locked_by=dead_worker()))

    assert email_outbox.send_due(notifications) == 2, "no waiting for the lease to run out"
    assert len(mailbox.to(confirmed["data"]["client"]["email"])) == 1


class DiesAfterSending:
    """The SMTP server accepts the first message, then the worker dies before it can record the send."""

    def __init__(self, inner):
        self.inner = inner

    @contextlib.contextmanager
    def connection(self):
        with self.inner.connection() as conn:
            yield self._Dying(conn)

    class _Dying:
        def __init__(self, conn):
            self.conn = conn

        def send(self, msg):
            self.conn.send(msg)
            raise KeyboardInterrupt  # not an Exception: nothing after the send runs, as with SIGKILL


def test_a_mail_sent_again_after_a_crash_before_its_commit_is_the_same_message(notifications, events, mailbox,
                                                                               clock):
    clinician = setup_clinician(notifications, events)
    confirmed = events.confirmed(clinician["clinician_id"], START)
    apply(notifications, confirmed)
    notifications.extra["mailer"] = DiesAfterSending(mailer_for(notifications.settings))
    with pytest.raises(KeyboardInterrupt):
        email_outbox.send_due(notifications)
    del notifications.extra["mailer"]
    clock.advance(seconds=61)

    assert email_outbox.send_due(notifications) == 2
    copies = collections.Counter(m["Message-ID"] for _, m in mailbox.messages)
    assert sorted(copies.values()) == [1, 2], "the mail in doubt went out again as the same message"
    assert len(published(notifications, "notification.sent")) == 2, "one per mail"


def test_a_mails_id_and_message_id_follow_from_its_booking_kind_and_recipient_alone():
    one = email_outbox.email_id("booking:b-1:booking_confirmed:client")

    assert one == email_outbox.email_id("booking:b-1:booking_confirmed:client"), "the same mail, the same id"
    assert len({one, email_outbox.email_id("booking:b-1:booking_confirmed:clinician"),
                email_outbox.email_id("booking:b-2:booking_confirmed:client"),
                email_outbox.email_id("booking:b-1:booking_cancelled:client")}) == 4


class SlowMailer:
    """Each send takes 20 s of the (frozen) clock, so the 25 s send window closes after two."""

    def __init__(self, inner, clock):
        self.inner, self.clock = inner, clock

    @contextlib.contextmanager
    def connection(self):
        with self.inner.connection() as conn:
            yield self._Slow(conn, self.clock)

    class _Slow:
        def __init__(self, conn, clock):
            self.conn, self.clock = conn, clock

        def send(self, msg):
            self.conn.send(msg)
            self.clock.advance(seconds=20)


def test_a_batch_that_outlasts_its_send_window_gives_the_rest_back_unsent_for_the_next_run(
        notifications, events, mailbox, clock):
    clinician = setup_clinician(notifications, events)
    for hour in range(2):
        apply(notifications, events.confirmed(clinician["clinician_id"], START + timedelta(hours=hour)))
    notifications.extra["mailer"] = SlowMailer(mailer_for(notifications.settings), clock)

    assert email_outbox.send_due(notifications) == 2, "two sends of 20 s fill the 25 s window"
    with notifications.db.read() as s:
        left = s.execute(select(emails.c.locked_until).where(emails.c.status == "pending")).all()
    assert len(left) == 2 and all(row.locked_until is None for row in left), "the rest is free at once"
    assert email_outbox.send_due(notifications) == 2
    assert len(mailbox.messages) == 4
