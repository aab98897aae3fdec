"""The booking service keeps the busy time synced from clinicians' own calendars: new holds on it are refused."""
from __future__ import annotations

import json

import pytest
from booking_support import at

from shared.events import new_event, parse

pytestmark = pytest.mark.integration


def busy_changed(booking, cid: str, sequence: int, *intervals) -> None:
    """Applies availability's calendar.busy_changed as the booking worker's consumer would."""
    data = {"clinician_id": cid, "synced_at": booking.clock.now(),
            "busy": [{"start": start, "end": end} for start, end in intervals]}
    event = new_event("calendar.busy_changed", "/attune/availability", f"calendar-{cid}", sequence, data,
                      booking.clock.now())
    envelope, loaded = parse(json.dumps(event))
    [handler] = [s.handlers[event["type"]] for s in booking.container.subscriptions if event["type"] in s.handlers]
    with booking.container.db.write() as session:
        handler(session, envelope, loaded)


def test_a_new_hold_on_time_the_clinicians_calendar_has_busy_is_refused_naming_the_start(booking):
    cid = booking.clinician()
    busy_changed(booking, cid, 1, (at(1, "10:10"), at(1, "11:00")))

    refused = [booking.hold(cid, at(1, hhmm)) for hhmm in ("10:00", "10:45")]
    assert [r.status_code for r in refused] == [422, 422]
    assert "own calendar is busy" in refused[0].json["detail"] and "start" in refused[0].json["errors"]
    assert booking.hold(cid, at(1, "11:00")).status_code == 201
    assert booking.hold(cid, at(1, "09:45")).status_code == 201


def test_a_hold_placed_before_the_busy_time_arrived_stands_and_freed_time_is_bookable_again(booking):
    cid = booking.clinician()
    hold = booking.hold(cid, at(1, "10:00"))
    assert hold.status_code == 201

    busy_changed(booking, cid, 1, (at(1, "10:00"), at(1, "11:00")))
    assert booking.confirm(hold.json).status_code == 201  # the client was mid-booking: it stands
    assert booking.hold(cid, at(1, "10:15")).status_code == 422

    busy_changed(booking, cid, 2)  # the event was removed from the calendar
    assert booking.hold(cid, at(1, "10:15")).status_code == 201


def test_a_new_schedule_keeps_the_calendar_busy_time(booking):
    cid = booking.clinician()
    busy_changed(booking, cid, 1, (at(1, "10:00"), at(1, "11:00")))
    booking.schedule(cid, version=2)

    assert booking.hold(cid, at(1, "10:30")).status_code == 422
    assert booking.hold(cid, at(1, "11:30")).status_code == 201
