"""Staff bookings and triage in the booking domain: what an agreed time may be, and how a request moves."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.booking.domain.contact import ContactRequest
from services.booking.domain.errors import Conflict, NotBookable
from services.booking.domain.model import Client
from services.booking.domain.rules import Clinician, Policy
from services.booking.domain.staff import check_staff_bookable

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday
POLICY = Policy(min_notice=timedelta(hours=2), lookahead=timedelta(days=7))
WEEKDAYS = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in ("mon", "tue", "wed", "thu", "fri")]
OFF = {"start": "2026-03-04T00:00:00Z", "end": "2026-03-05T00:00:00Z"}  # Wednesday off


def clinician(**over) -> Clinician:
    return Clinician(**{"id": "c1", "time_zone": "UTC", "active": True, "accepting": False,
                        "schedule": {"weekly": WEEKDAYS, "overrides": [], "time_off": [OFF]},
                        "busy": [(datetime(2026, 3, 3, 12, 0, tzinfo=UTC), datetime(2026, 3, 3, 12, 30, tzinfo=UTC))],
                        **over})


def refusal(c, start, outside_hours=False) -> str | None:
    try:
        check_staff_bookable(c, start, NOW, POLICY, outside_hours)
    except NotBookable as e:
        return e.field
    return None


def test_staff_book_without_notice_beyond_the_clients_lookahead_and_for_a_clinician_not_taking_new_clients():
    assert refusal(clinician(), NOW + timedelta(minutes=15), outside_hours=True) is None  # in 15 minutes
    assert refusal(clinician(), datetime(2026, 4, 1, 10, 0, tzinfo=UTC)) is None  # 30 days on, a Wednesday


@pytest.mark.parametrize("start, outside_hours, field", [
    (datetime(2026, 3, 3, 10, 5, tzinfo=UTC), True, "start"),  # off the grid
    (NOW - timedelta(minutes=15), True, "start"),  # in the past
    (NOW + timedelta(days=91), True, "start"),  # beyond 90 days
    (datetime(2026, 3, 3, 19, 0, tzinfo=UTC), False, "start"),  # outside the windows, not asked
    (datetime(2026, 3, 4, 19, 0, tzinfo=UTC), True, "start"),  # in the time off, even outside hours
    (datetime(2026, 3, 3, 12, 0, tzinfo=UTC), False, "start"),  # busy in the clinician's own calendar
    (datetime(2026, 3, 3, 12, 15, tzinfo=UTC), True, "start"),  # ... even outside hours
])
def test_an_agreed_time_stays_on_the_grid_in_the_future_within_90_days_and_out_of_time_off(start, outside_hours,
                                                                                            field):
    assert refusal(clinician(), start, outside_hours) == field


def test_outside_hours_lets_staff_book_beyond_the_windows_of_an_active_clinician_only():
    evening = datetime(2026, 3, 3, 19, 0, tzinfo=UTC)

    assert refusal(clinician(), evening, outside_hours=True) is None
    assert refusal(clinician(schedule=None), evening, outside_hours=True) is None
    assert refusal(clinician(active=False), evening, outside_hours=True) == "clinician_id"
    assert refusal(None, evening, outside_hours=True) == "clinician_id"


def request(**over) -> ContactRequest:
    return ContactRequest.create(id="cr1", client=Client("Sam", "sam@client.test"), time_zone="UTC",
                                 preferred_times=[], **over)


def test_triage_moves_a_request_between_open_in_progress_and_closed_and_keeps_or_clears_the_note():
    r = request()
    r.triage("in_progress", "left a voicemail")
    r.triage(None, None)
    assert (r.status, r.note) == ("in_progress", "left a voicemail")
    r.triage("closed", "")
    assert (r.status, r.note) == ("closed", None)
    r.triage("open", None)
    assert r.status == "open"


def test_a_booked_request_says_which_booking_once_and_can_then_only_be_closed():
    r = request(clinician_id="cl_a")
    r.pull_events()
    start = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

    r.book("bk1", "cl_a", start, start + timedelta(minutes=15))

    assert (r.status, r.booking_id) == ("booked", "bk1")
    [(type_, data)] = r.pull_events()
    assert type_ == "contact_request.booked" and data["booking_id"] == "bk1" and "client" not in data
    with pytest.raises(Conflict):
        r.book("bk2", "cl_a", start, start)
    with pytest.raises(Conflict):
        r.triage("open", None)
    with pytest.raises(Conflict):
        r.triage("booked", None)
    r.triage("closed", None)
    assert r.status == "closed"
