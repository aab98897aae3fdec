"""Clinicians' own CalDAV calendars against a real Radicale server: connecting, busy time in the slots, status."""
from __future__ import annotations

import http.server
import json
import socketserver
import threading
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from services.availability.adapters.orm import calendar_busy, calendar_connections
from services.availability.service_layer import calendar_sync
from shared import sealed
from tests.support.radicale import KEY, PASSWORD, free_port, vevent
from tests.support.staff_tokens import Staff

pytestmark = pytest.mark.integration


@pytest.fixture
def container(make_container, clock):
    return make_container("availability", clock=clock, ATTUNE_SECRET_KEY=KEY)


def slot_starts(client, clinician_id) -> set[str]:
    """Open slot starts from tomorrow (so a clock moved on by a sync interval changes none of them)."""
    resp = client.get(f"/v1/slots?clinician_id={clinician_id}&start=2026-03-05T00:00:00Z")
    assert resp.status_code == 200, resp.json
    return {s["start"] for s in resp.json["slots"]}


def resync(container, clock, seconds=25) -> int:
    """What the worker's job does once the sync interval (20 s) has passed."""
    clock.advance(seconds=seconds)
    return calendar_sync.sync_due(container)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def event(uid: str, *lines: str) -> str:
    return vevent(uid, "\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260301T000000Z", *lines,
                                  "END:VEVENT"]))


def test_connecting_checks_the_server_then_stores_the_password_sealed_and_never_shows_it(
        client, admin_headers, connected, container):
    resp = client.get(f"/v1/clinicians/{connected}/calendar", headers=admin_headers)

    assert resp.status_code == 200
    assert resp.json["status"] == "ok" and resp.json["last_sync"] == "2026-03-04T12:00:00Z"
    assert resp.json["stale"] is False and resp.json["clashes"] == []
    assert PASSWORD not in resp.get_data(as_text=True) and "password" not in resp.json
    with container.db.read() as session:
        stored = session.execute(select(calendar_connections.c.sealed_password)).scalar_one()
    assert PASSWORD not in stored
    assert sealed.unseal(KEY, "caldav-credentials", stored) == PASSWORD


def test_a_wrong_password_is_refused_naming_the_cause_and_nothing_is_stored(
        client, admin_headers, make_clinician, radicale, container, caplog):
    clinician_id = make_clinician()
    resp = client.put(f"/v1/clinicians/{clinician_id}/calendar", headers=admin_headers,
                      json={"caldav_url": radicale.url, "username": "ada", "password": "not-the-password"})

    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert "refused the username or password" in resp.json["detail"]
    assert resp.json["errors"]["caldav_url"]
    assert "not-the-password" not in caplog.text
    with container.db.read() as session:
        assert session.execute(select(calendar_connections)).first() is None
    assert client.get(f"/v1/clinicians/{clinician_id}/calendar", headers=admin_headers).json["status"] == \
        "disconnected"


def test_a_server_that_is_down_or_does_not_speak_caldav_is_refused_naming_the_cause(
        client, admin_headers, make_clinician):
    clinician_id = make_clinician()
    plain = socketserver.TCPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    try:
        answers = {url: client.put(f"/v1/clinicians/{clinician_id}/calendar", headers=admin_headers,
                                   json={"caldav_url": url, "username": "ada", "password": PASSWORD})
                   for url in (f"http://127.0.0.1:{free_port()}/", f"http://127.0.0.1:{plain.server_address[1]}/")}
    finally:
        plain.shutdown()
        plain.server_close()

    down, plain_http = answers.values()
    assert down.status_code == 422 and "could not reach the CalDAV server" in down.json["detail"]
    assert plain_http.status_code == 422 and "does not speak CalDAV" in plain_http.json["detail"]
    bad = client.put(f"/v1/clinicians/{clinician_id}/calendar", headers=admin_headers,
                     json={"caldav_url": "ftp://example.org/", "username": "ada", "password": PASSWORD})
    assert bad.status_code == 422 and "caldav_url" in bad.json["errors"]


def test_only_staff_or_the_clinician_may_connect_a_calendar(client, make_clinician, radicale):
    clinician_id = make_clinician()
    resp = client.put(f"/v1/clinicians/{clinician_id}/calendar",
                      json={"caldav_url": radicale.url, "username": "ada", "password": PASSWORD})
    assert resp.status_code == 401
    assert client.get(f"/v1/clinicians/{clinician_id}/calendar").status_code == 401


def test_a_clinician_manages_their_own_calendar_and_feed_but_not_another_clinicians(
        client, make_clinician, radicale, calendar_url, clock):
    staff, mine, other = Staff(clock.now()), make_clinician(), make_clinician()
    body = {"caldav_url": radicale.url, "username": "ada", "password": PASSWORD, "calendar_url": calendar_url}
    own = staff.headers("clinician", mine)

    assert client.put(f"/v1/clinicians/{mine}/calendar", json=body, headers=own).status_code == 200
    assert client.put(f"/v1/clinicians/{other}/calendar", json=body, headers=own).status_code == 403
    assert client.get(f"/v1/clinicians/{other}/calendar", headers=own).status_code == 403
    assert client.post(f"/v1/clinicians/{other}/feed-key", headers=own).status_code == 403
    assert client.delete(f"/v1/clinicians/{other}/calendar", headers=own).status_code == 403
    assert client.get(f"/v1/clinicians/{other}/calendar", headers=staff.headers("staff")).json["status"] == \
        "disconnected"


def test_the_directory_shows_the_first_slot_the_calendar_leaves_open(
        client, admin_headers, make_clinician, every_day, radicale, calendar_url, container, clock):
    clinician_id = make_clinician(weekly=every_day("09:00", "10:00"), time_zone="America/New_York")
    client.put(f"/v1/clinicians/{clinician_id}/calendar", headers=admin_headers,
               json={"caldav_url": radicale.url, "username": "ada", "password": PASSWORD, "calendar_url": calendar_url})
    radicale.put_event(calendar_url, event("all-morning", "DTSTART:20260304T140000Z", "DTEND:20260304T150000Z"))
    resync(container, clock)

    [listed] = [c for c in client.get("/v1/directory").json["clinicians"] if c["id"] == clinician_id]
    assert listed["next_available"] == "2026-03-05T14:00:00Z"  # today's only hour is in the calendar


def test_an_added_busy_event_hides_the_slots_it_overlaps_and_its_removal_brings_them_back(
        client, connected, container, clock, radicale, calendar_url, outbox_events):
    before = slot_starts(client, connected)
    assert {"2026-03-05T15:00:00Z", "2026-03-05T15:45:00Z", "2026-03-05T16:00:00Z"} <= before

    href = radicale.put_event(calendar_url, event("dentist", "DTSTART:20260305T151000Z", "DTEND:20260305T160000Z"))
    assert resync(container, clock) == 1
    busy = slot_starts(client, connected)
    assert before - busy == {"2026-03-05T15:00:00Z", "2026-03-05T15:15:00Z", "2026-03-05T15:30:00Z",
                             "2026-03-05T15:45:00Z"}
    [changed] = outbox_events("calendar.busy_changed")
    assert changed["subject"] == f"calendar-{connected}"
    assert [(at(b["start"]), at(b["end"])) for b in changed["data"]["busy"]] == [
        (at("2026-03-05T15:10:00Z"), at("2026-03-05T16:00:00Z"))]

    resync(container, clock)  # nothing changed: the sync token says so, no new event
    assert len(outbox_events("calendar.busy_changed")) == 1

    radicale.delete(href)
    resync(container, clock)
    assert slot_starts(client, connected) == before
    assert outbox_events("calendar.busy_changed")[-1]["data"]["busy"] == []


def test_a_weekly_recurring_event_blocks_each_week_except_its_exceptions(
        client, connected, container, clock, radicale, calendar_url):
    # 10:00-11:00 New York every day from Thursday; Friday's is cancelled (EXDATE), Saturday's moved to 14:00
    radicale.put_event(calendar_url, vevent("x", """
        BEGIN:VEVENT
        UID:supervision
        DTSTAMP:20260301T000000Z
        DTSTART;TZID=America/New_York:20260305T100000
        DTEND;TZID=America/New_York:20260305T110000
        RRULE:FREQ=WEEKLY;BYDAY=MO,TH,FR,SA
        EXDATE;TZID=America/New_York:20260306T100000
        END:VEVENT
        BEGIN:VEVENT
        UID:supervision
        DTSTAMP:20260301T000000Z
        RECURRENCE-ID;TZID=America/New_York:20260307T100000
        DTSTART;TZID=America/New_York:20260307T140000
        DTEND;TZID=America/New_York:20260307T150000
        END:VEVENT"""))
    resync(container, clock)

    open_ = slot_starts(client, connected)
    assert "2026-03-05T15:00:00Z" not in open_  # Thursday 10:00 EST
    assert "2026-03-06T15:00:00Z" in open_  # Friday: the exception
    assert "2026-03-07T15:00:00Z" in open_ and "2026-03-07T19:00:00Z" not in open_  # Saturday moved to 14:00
    assert "2026-03-09T14:00:00Z" not in open_ and "2026-03-09T15:00:00Z" in open_  # Monday 10:00 EDT


def test_an_all_day_event_blocks_the_clinicians_whole_local_day(client, connected, container, clock, radicale,
                                                                calendar_url):
    radicale.put_event(calendar_url, event("conference", "DTSTART;VALUE=DATE:20260306",
                                           "DTEND;VALUE=DATE:20260307"))
    resync(container, clock)

    days = {datetime.fromisoformat(s).date().isoformat() for s in slot_starts(client, connected)}
    assert "2026-03-06" not in days and {"2026-03-05", "2026-03-07"} <= days


def test_an_event_in_another_zone_blocks_the_right_slots_across_a_dst_change(
        client, connected, container, clock, radicale, calendar_url):
    # 15:00-15:30 Berlin daily: 09:00 in New York before Sunday's change to EDT, 10:00 after it
    radicale.put_event(calendar_url, event("berlin-call", "DTSTART;TZID=Europe/Berlin:20260305T150000",
                                           "DTEND;TZID=Europe/Berlin:20260305T153000", "RRULE:FREQ=DAILY;COUNT=6"))
    radicale.put_event(calendar_url, event("free-time", "DTSTART:20260305T200000Z", "DTEND:20260305T210000Z",
                                           "TRANSP:TRANSPARENT"))
    resync(container, clock)

    open_ = slot_starts(client, connected)
    for day in ("05", "06", "07", "08", "09", "10"):
        assert f"2026-03-{day}T14:00:00Z" not in open_ and f"2026-03-{day}T14:15:00Z" not in open_
        assert f"2026-03-{day}T14:30:00Z" in open_
    assert "2026-03-08T13:45:00Z" in open_ and "2026-03-09T14:00:00Z" not in open_
    assert "2026-03-05T20:00:00Z" in open_  # transparent: free


def test_a_server_that_goes_down_keeps_the_last_good_busy_time_backs_off_and_shows_stale(
        client, admin_headers, connected, container, clock, radicale, calendar_url):
    radicale.put_event(calendar_url, event("meeting", "DTSTART:20260305T150000Z", "DTEND:20260305T160000Z"))
    resync(container, clock)
    with container.db.write() as session:  # the server moves away
        port = free_port()
        session.execute(calendar_connections.update().values(
            caldav_url=f"http://127.0.0.1:{port}/", calendar_url=f"http://127.0.0.1:{port}/ada/gone/"))

    resync(container, clock)
    status = client.get(f"/v1/clinicians/{connected}/calendar", headers=admin_headers).json
    assert status["status"] == "failing" and "could not reach" in status["reason"]
    assert status["stale"] is True and status["last_sync"] == "2026-03-04T12:00:25Z"
    assert "2026-03-05T15:00:00Z" not in slot_starts(client, connected)  # the last good sync still counts
    with container.db.read() as session:
        first = session.execute(select(calendar_connections.c.next_sync_at)).scalar_one()
    assert resync(container, clock) == 0  # backing off: 40 s after the first failure
    assert resync(container, clock) == 1
    with container.db.read() as session:
        row = session.execute(select(calendar_connections)).first()
    assert row.failures == 2 and (row.next_sync_at - first).total_seconds() > 60


def test_only_one_replica_syncs_a_clinician_at_a_time(connected, container, clock):
    from services.availability.adapters import calendar_store as store

    clock.advance(seconds=30)
    now = clock.now()
    with container.db.write() as session:
        first = store.claim(session, connected, "replica-a", now, now + calendar_sync.LEASE)
    with container.db.write() as session:
        second = store.claim(session, connected, "replica-b", now, now + calendar_sync.LEASE)
    assert (first, second) == (True, False)
    assert calendar_sync.sync_one(container, connected) is False  # leased elsewhere


def test_a_lease_held_by_a_killed_worker_is_free_at_once_not_after_the_lease(connected, container, clock):
    import subprocess
    import sys

    from services.availability.adapters import calendar_store as store
    from shared import process_owner

    code = "from shared import process_owner; print(process_owner.current(short=True))"
    dead = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=str(Path(process_owner.__file__).parents[1])).stdout.strip()
    clock.advance(seconds=30)
    now = clock.now()
    with container.db.write() as session:
        assert store.claim(session, connected, f"run1/{dead}", now, now + calendar_sync.LEASE)
    with container.db.read() as session:
        due = store.due(session, now, 10)
    with container.db.write() as session:
        alive = store.claim(session, connected, f"run2/{process_owner.current(short=True)}", now,
                            now + calendar_sync.LEASE)

    assert connected in due and alive, "the dead worker's clinician is synced again at once"
    assert calendar_sync.sync_one(container, connected) is False  # now leased by a live process (this one)


def test_disconnecting_forgets_the_credentials_and_frees_the_busy_time(
        client, admin_headers, connected, container, clock, radicale, calendar_url):
    radicale.put_event(calendar_url, event("meeting", "DTSTART:20260305T150000Z", "DTEND:20260305T160000Z"))
    resync(container, clock)
    assert "2026-03-05T15:00:00Z" not in slot_starts(client, connected)

    assert client.delete(f"/v1/clinicians/{connected}/calendar", headers=admin_headers).status_code == 204
    assert "2026-03-05T15:00:00Z" in slot_starts(client, connected)
    with container.db.read() as session:
        assert session.execute(select(calendar_connections)).first() is None
        assert session.execute(select(calendar_busy)).first() is None


def test_a_hold_standing_on_newly_busy_time_is_listed_as_a_clash(
        client, admin_headers, connected, container, clock, radicale, calendar_url):
    from services.availability.service_layer import projection

    held = {"booking_id": "bk-1", "clinician_id": connected, "start": datetime.fromisoformat("2026-03-05T15:00:00Z"),
            "end": datetime.fromisoformat("2026-03-05T15:15:00Z"), "status": "held",
            "expires_at": datetime.fromisoformat("2026-03-04T12:10:00Z")}
    with container.db.write() as session:
        projection.apply_booking_event(session, {"type": "booking.held", "sequence": 1}, held, clock)
    radicale.put_event(calendar_url, event("meeting", "DTSTART:20260305T150000Z", "DTEND:20260305T160000Z"))
    resync(container, clock)

    clashes = client.get(f"/v1/clinicians/{connected}/calendar", headers=admin_headers).json["clashes"]
    assert clashes == [{"booking_id": "bk-1", "status": "held", "start": "2026-03-05T15:00:00Z",
                        "end": "2026-03-05T15:15:00Z"}]
    assert json.dumps(clashes).count("bk-1") == 1


def test_a_sync_that_finishes_after_the_calendar_was_disconnected_stores_nothing(
        client, admin_headers, connected, container, clock, radicale, calendar_url, monkeypatch):
    radicale.put_event(calendar_url, event("meeting", "DTSTART:20260305T150000Z", "DTEND:20260305T160000Z"))
    real_read = calendar_sync._read

    def read_then_disconnect(*args):
        found = real_read(*args)
        assert client.delete(f"/v1/clinicians/{connected}/calendar", headers=admin_headers).status_code == 204
        return found

    monkeypatch.setattr(calendar_sync, "_read", read_then_disconnect)
    resync(container, clock)

    with container.db.read() as session:
        assert session.execute(select(calendar_busy)).first() is None
    assert "2026-03-05T15:00:00Z" in slot_starts(client, connected)
