"""The projection of clinicians and schedules from availability's events decides what is bookable."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from booking_support import at

pytestmark = pytest.mark.integration


def test_a_newer_schedule_replaces_the_old_and_an_older_version_is_ignored(booking):
    cid = booking.clinician(weekly=[{"weekday": "mon", "start": "09:00", "end": "12:00"}])

    booking.schedule(cid, version=3, weekly=[{"weekday": "mon", "start": "14:00", "end": "15:00"}])
    booking.schedule(cid, version=2, weekly=[{"weekday": "mon", "start": "09:00", "end": "12:00"}])

    assert booking.hold(cid, at(0, "10:00")).status_code == 422
    assert booking.hold(cid, at(0, "14:00")).status_code == 201


def test_time_off_and_date_overrides_in_the_schedule_are_respected(booking):
    cid = booking.clinician(overrides=[{"date": date(2026, 3, 3), "windows": [{"start": "15:00", "end": "16:00"}]}],
                            time_off=[{"start": datetime(2026, 3, 2, 9, tzinfo=UTC),
                                       "end": datetime(2026, 3, 2, 11, tzinfo=UTC)}])

    assert booking.hold(cid, at(0, "10:30")).status_code == 422  # time off (09:30 UTC)
    assert booking.hold(cid, at(0, "12:00")).status_code == 201
    assert booking.hold(cid, at(1, "10:00")).status_code == 422  # Tuesday's override replaces the week
    assert booking.hold(cid, at(1, "15:00")).status_code == 201


def test_a_deactivated_clinician_takes_no_new_holds_but_keeps_existing_bookings_movable(booking):
    cid = booking.clinician()
    made = booking.book(cid, at(0, "10:00"))

    booking.feed("clinician.updated", {
        "clinician_id": cid, "name": "Dr Test", "email": "dr@example.org", "time_zone": "Europe/Berlin",
        "modalities": ["eft"], "populations": ["couples"], "languages": ["en"], "accepting_new_clients": False,
        "active": True})

    assert booking.hold(cid, at(0, "11:00")).status_code == 422
    moved = booking.http.post(f"/v1/bookings/{made['id']}/reschedule", json={"start": at(0, "11:00").isoformat()},
                              headers={"Authorization": f"Bearer {made['manage_token']}"})
    assert moved.status_code == 200
