"""Whether a slot is bookable: grid, notice, lookahead, the clinician's state and schedule, DST."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.booking.domain.errors import NotBookable
from services.booking.domain.rules import Clinician, Policy, check_bookable, is_bookable, offers_at
from shared.clock import FrozenClock
from shared.schedule import offers

CLOCK = FrozenClock(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))  # Monday
POLICY = Policy(min_notice=timedelta(hours=2), lookahead=timedelta(days=7))
WEEKDAYS = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in ("mon", "tue", "wed", "thu", "fri")]


def clinician(**over) -> Clinician:
    fields = {"id": "c1", "time_zone": "UTC", "active": True, "accepting": True,
              "schedule": {"weekly": WEEKDAYS, "overrides": [], "time_off": []}, "schedule_version": 1, **over}
    return Clinician(**fields)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def reason(c, start, **kw) -> tuple[str, str]:
    with pytest.raises(NotBookable) as caught:
        check_bookable(c, start, CLOCK.now(), POLICY, **kw)
    return caught.value.field, caught.value.detail


def test_a_slot_on_the_grid_inside_the_schedule_between_notice_and_lookahead_is_bookable():
    all_day = clinician(schedule={"weekly": [{"weekday": "mon", "start": "00:00", "end": "24:00"}]})

    assert is_bookable(clinician(), utc(2, 9), CLOCK.now(), POLICY)  # exactly the notice ahead
    assert is_bookable(clinician(), utc(6, 16, 45), CLOCK.now(), POLICY)  # Friday's last slot
    assert is_bookable(all_day, utc(9, 7), CLOCK.now(), POLICY)  # exactly seven days ahead
    assert not is_bookable(all_day, utc(9, 7, 15), CLOCK.now(), POLICY)


@pytest.mark.parametrize("start, words", [
    (utc(2, 10, 7), "grid"),
    (utc(2, 10, 0) + timedelta(seconds=30), "grid"),
    (utc(2, 8, 45), "too soon"),
    (utc(9, 9, 0), "too far"),
    (utc(2, 17, 0), "outside"),
    (utc(7, 10, 0), "outside"),
])
def test_a_slot_off_the_grid_too_soon_too_far_or_off_schedule_is_refused_naming_start(start, words):
    field, detail = reason(clinician(), start)

    assert field == "start" and words in detail


@pytest.mark.parametrize("c", [None, clinician(active=None), clinician(active=False), clinician(accepting=False)])
def test_an_unknown_inactive_or_full_clinician_is_refused_naming_the_clinician(c):
    assert reason(c, utc(2, 10))[0] == "clinician_id"


def test_an_existing_client_may_still_move_to_a_clinician_who_is_not_accepting_new_ones():
    check_bookable(clinician(accepting=False), utc(2, 10), CLOCK.now(), POLICY, new_client=False)

    assert reason(clinician(active=False), utc(2, 10), new_client=False)[0] == "clinician_id"


def test_a_clinician_without_a_schedule_offers_nothing():
    assert reason(clinician(schedule=None), utc(2, 10))[1].startswith("start is outside")


def test_slots_follow_the_clinicians_wall_clock_across_the_spring_forward():
    ny = clinician(time_zone="America/New_York", schedule={"weekly": [{"weekday": "mon", "start": "09:00",
                                                                       "end": "10:00"}]})
    now = datetime(2026, 3, 6, 12, tzinfo=UTC)  # Friday; clocks go forward on Sunday 8 March

    assert is_bookable(ny, datetime(2026, 3, 9, 13, tzinfo=UTC), now, POLICY)  # 09:00 EDT
    assert not is_bookable(ny, datetime(2026, 3, 9, 14, 15, tzinfo=UTC), now, POLICY)  # 10:15 EDT


@pytest.mark.parametrize("zone, first_day", [("America/New_York", datetime(2026, 3, 7, tzinfo=UTC)),
                                             ("Europe/Berlin", datetime(2026, 10, 24, tzinfo=UTC)),
                                             ("Australia/Lord_Howe", datetime(2026, 4, 4, tzinfo=UTC))])
def test_the_one_slot_check_agrees_with_the_shared_slot_list_through_dst_changes(zone, first_day):
    schedule = {"weekly": [{"weekday": d, "start": s, "end": e} for d in ("sat", "sun", "mon")
                           for s, e in (("00:00", "03:30"), ("09:10", "10:00"), ("23:00", "24:00"))],
                "overrides": [{"date": "2026-03-09", "windows": [{"start": "02:00", "end": "04:00"}]}],
                "time_off": [{"start": "2026-10-25T00:30:00Z", "end": "2026-10-25T01:10:00Z"}]}
    instants = [first_day + timedelta(minutes=5 * i) for i in range(2 * 24 * 12)]

    disagreements = [t for t in instants if offers_at(schedule, zone, t) != offers(schedule, zone, t)]

    assert disagreements == []
    assert any(offers_at(schedule, zone, t) for t in instants)
