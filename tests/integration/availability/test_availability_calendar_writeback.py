"""Consultations into the clinician's CalDAV calendar (Radicale) exactly once, and the subscribable ICS feed."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from services.availability.adapters import calendar_store
from services.availability.service_layer import calendar_sync, calendar_writeback
from shared.events import new_event, parse
from tests.support.radicale import KEY

pytestmark = pytest.mark.integration
START = datetime.fromisoformat("2026-03-05T15:00:00Z")
CLIENT = {"name": "Ada  Lovelace", "email": "ada.client@example.org", "phone": "+1 212 555 0100"}


@pytest.fixture
def container(make_container, clock, request):
    env = getattr(request, "param", {})
    return make_container("availability", clock=clock, ATTUNE_SECRET_KEY=KEY, **env)


class Bookings:
    """Booking events delivered to the write-back consumer's handler, as the worker's consumer does."""

    def __init__(self, container, clinician_id: str):
        self.container, self.clinician_id, self.sequence = container, clinician_id, 0
        [self.subscription] = [s for s in container.subscriptions if s.purpose == "calendar-writeback"]

    def deliver(self, type_: str, booking_id: str, start: datetime, **extra) -> dict:
        self.sequence += 1
        data = {"booking_id": booking_id, "clinician_id": self.clinician_id, "start": start,
                "end": start + timedelta(minutes=15), "status": "cancelled" if "cancelled" in type_ else "confirmed",
                **extra}
        event = new_event(type_, "/attune/booking", booking_id, self.sequence, data, self.container.clock.now())
        envelope, loaded = parse(json.dumps(event))
        with self.container.db.write() as session:
            self.subscription.handlers[type_](session, envelope, loaded)
        return event

    def confirm(self, booking_id: str, start: datetime = START) -> dict:
        return self.deliver("booking.confirmed", booking_id, start, client=CLIENT)


def stored(radicale, calendar_url) -> list[Calendar]:
    return [Calendar.from_ical(text) for text in radicale.events(calendar_url).values()]


def only_event(radicale, calendar_url):
    [cal] = stored(radicale, calendar_url)
    [event] = cal.walk("VEVENT")
    return event


def test_a_confirmed_consultation_lands_in_the_calendar_with_the_emails_uid_and_the_first_name_only(
        container, connected, radicale, calendar_url):
    Bookings(container, connected).confirm("bk-1")
    assert calendar_writeback.push_pending(container) == 1

    event = only_event(radicale, calendar_url)
    assert str(event["UID"]) == "bk-1@attune"
    from services.notifications.adapters.calendar import uid
    assert uid("bk-1") == str(event["UID"])  # the same rule as the emails' .ics
    assert event.start == START and event.end == START + timedelta(minutes=15)
    assert str(event["SUMMARY"]) == "Consultation call: Ada"
    text = "".join(radicale.events(calendar_url).values())
    assert "Lovelace" not in text and "ada.client@example.org" not in text and "212 555 0100" not in text and "2125550100" not in text
    assert calendar_writeback.push_pending(container) == 0  # written: nothing pending


def test_a_reschedule_moves_the_same_event_and_a_cancellation_removes_it(
        container, connected, radicale, calendar_url):
    bookings = Bookings(container, connected)
    bookings.confirm("bk-2")
    calendar_writeback.push_pending(container)
    later = START + timedelta(days=1, hours=2)

    bookings.deliver("booking.rescheduled", "bk-2", later, previous_start=START,
                     previous_end=START + timedelta(minutes=15))
    calendar_writeback.push_pending(container)
    event = only_event(radicale, calendar_url)
    assert str(event["UID"]) == "bk-2@attune" and event.start == later

    bookings.deliver("booking.cancelled", "bk-2", later, cancelled_by="client")
    calendar_writeback.push_pending(container)
    assert radicale.events(calendar_url) == {}


def test_a_worker_killed_between_the_put_and_its_commit_writes_the_event_once_when_it_runs_again(
        container, connected, radicale, calendar_url, monkeypatch):
    bookings = Bookings(container, connected)
    bookings.confirm("bk-3")
    real_written = calendar_store.written

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("worker killed after the PUT, before marking it written")

    monkeypatch.setattr(calendar_store, "written", killed)
    with pytest.raises(KeyboardInterrupt):
        calendar_writeback.push_pending(container)
    assert len(radicale.events(calendar_url)) == 1  # the PUT happened

    monkeypatch.setattr(calendar_store, "written", real_written)
    assert calendar_writeback.push_pending(container) == 1  # the restarted worker repeats it
    assert len(radicale.events(calendar_url)) == 1 and str(only_event(radicale, calendar_url)["UID"]) == "bk-3@attune"


def test_two_replicas_never_leave_a_cancelled_consultation_in_the_calendar(
        container, connected, radicale, calendar_url, monkeypatch):
    """Replica A reads the confirmed state and PUTs it late; meanwhile the cancellation arrives and
    replica B runs. Unserialised, B's DELETE lands before A's PUT and the event stays for good."""
    from services.availability.adapters.caldav_client import Remote

    bookings = Bookings(container, connected)
    bookings.confirm("bk-race")
    real_put, other_replica = Remote.put, []

    def late_put(self, uid, ics):
        if not other_replica:
            bookings.deliver("booking.cancelled", "bk-race", START, cancelled_by="client")
            other_replica.append(calendar_writeback.push_pending(container))  # B, while A is mid-write
        return real_put(self, uid, ics)

    monkeypatch.setattr(Remote, "put", late_put)
    calendar_writeback.push_pending(container)  # A
    assert other_replica == [0], "B waits while A holds the calendar"

    calendar_writeback.push_pending(container)  # the next run writes the newest state
    assert radicale.events(calendar_url) == {}
    assert calendar_writeback.push_pending(container) == 0


def test_a_redelivered_or_stale_booking_event_changes_nothing(container, connected, radicale, calendar_url):
    bookings = Bookings(container, connected)
    confirmed = bookings.confirm("bk-4")
    later = START + timedelta(hours=1)
    bookings.deliver("booking.rescheduled", "bk-4", later, previous_start=START,
                     previous_end=START + timedelta(minutes=15))
    envelope, loaded = parse(json.dumps(confirmed))  # the older event again, as after a broker redelivery
    with container.db.write() as session:
        bookings.subscription.handlers["booking.confirmed"](session, envelope, loaded)

    calendar_writeback.push_pending(container)
    assert only_event(radicale, calendar_url).start == later


def test_a_sync_does_not_count_the_consultations_it_wrote_as_busy_time(
        container, connected, radicale, calendar_url, clock):
    Bookings(container, connected).confirm("bk-5")
    calendar_writeback.push_pending(container)
    clock.advance(seconds=25)
    calendar_sync.sync_due(container)

    with container.db.read() as session:
        assert calendar_store.busy_of(session, connected) == []


def test_a_calendar_that_is_down_keeps_the_write_pending_until_it_is_back(
        container, connected, radicale, calendar_url):
    Bookings(container, connected).confirm("bk-6")
    radicale.stop()
    try:
        assert calendar_writeback.push_pending(container) == 0
    finally:
        radicale.start()
    assert calendar_writeback.push_pending(container) == 1
    assert str(only_event(radicale, calendar_url)["UID"]) == "bk-6@attune"


def test_consultations_booked_before_the_calendar_was_connected_are_written_once_it_is(
        client, admin_headers, container, make_clinician, radicale, calendar_url):
    from tests.support.radicale import PASSWORD

    clinician_id = make_clinician()
    bookings = Bookings(container, clinician_id)
    bookings.confirm("bk-early")
    bookings.confirm("bk-long-ago", START - timedelta(days=20))
    assert calendar_writeback.push_pending(container) == 2  # nothing to write to yet
    resp = client.put(f"/v1/clinicians/{clinician_id}/calendar", headers=admin_headers,
                      json={"caldav_url": radicale.url, "username": "ada", "password": PASSWORD,
                            "calendar_url": calendar_url})
    assert resp.status_code == 200

    calendar_writeback.push_pending(container)
    assert [str(e["UID"]) for cal in stored(radicale, calendar_url) for e in cal.walk("VEVENT")] == ["bk-early@attune"]


def feed(client, url: str):
    path = url.split("://", 1)[1].split("/", 1)[1]
    return client.get("/" + path)


def test_the_feed_lists_confirmed_consultations_of_the_window_as_valid_icalendar_with_first_names(
        client, admin_headers, container, make_clinician):
    clinician_id = make_clinician()
    bookings = Bookings(container, clinician_id)
    bookings.confirm("bk-past", START - timedelta(days=29))
    bookings.confirm("bk-too-old", START - timedelta(days=40))
    bookings.confirm("bk-soon")
    bookings.confirm("bk-cancelled", START + timedelta(days=2))
    bookings.deliver("booking.cancelled", "bk-cancelled", START + timedelta(days=2), cancelled_by="staff")

    made = client.post(f"/v1/clinicians/{clinician_id}/feed-key", headers=admin_headers)
    assert made.status_code == 201 and "/feed.ics?key=" in made.json["url"]
    resp = feed(client, made.json["url"])

    assert resp.status_code == 200 and resp.mimetype == "text/calendar"
    cal = Calendar.from_ical(resp.get_data(as_text=True))
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"bk-past@attune", "bk-soon@attune"}
    assert str(events["bk-soon@attune"]["SUMMARY"]) == "Consultation call: Ada"
    assert "Lovelace" not in resp.get_data(as_text=True)


def test_a_new_feed_key_revokes_the_old_one_and_a_missing_key_is_refused(client, admin_headers, make_clinician):
    clinician_id = make_clinician()
    first = client.post(f"/v1/clinicians/{clinician_id}/feed-key", headers=admin_headers).json["url"]
    second = client.post(f"/v1/clinicians/{clinician_id}/feed-key", headers=admin_headers).json["url"]

    assert feed(client, first).status_code == 403
    assert feed(client, second).status_code == 200
    assert client.get(f"/v1/clinicians/{clinician_id}/feed.ics").status_code == 403
    assert client.post(f"/v1/clinicians/{clinician_id}/feed-key").status_code == 401


@pytest.mark.parametrize("container", [{"CALENDAR_FEED_FULL_NAMES": "true"}], indirect=True)
def test_the_practice_may_show_full_names_in_the_feed(client, admin_headers, container, make_clinician):
    clinician_id = make_clinician()
    Bookings(container, clinician_id).confirm("bk-full")
    url = client.post(f"/v1/clinicians/{clinician_id}/feed-key", headers=admin_headers).json["url"]

    [event] = Calendar.from_ical(feed(client, url).get_data(as_text=True)).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Consultation call: Ada Lovelace"
