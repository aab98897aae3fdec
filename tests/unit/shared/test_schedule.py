"""Slot arithmetic of shared.schedule: windows in the clinician's zone, DST days, overrides, time off."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.schedule import offers, on_grid, slot_starts

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MORNINGS = {"weekly": [{"weekday": d, "start": "09:00", "end": "12:00"} for d in WEEKDAYS]}

# (zone, the local date of a transition, UTC offset in hours on the day before, on the day itself)
TRANSITIONS_2026 = [
    ("America/New_York", date(2026, 3, 8), -5, -4),    # spring forward 02:00 -> 03:00
    ("America/New_York", date(2026, 11, 1), -4, -5),   # fall back 02:00 -> 01:00
    ("Europe/London", date(2026, 3, 29), 0, 1),        # spring forward 01:00 -> 02:00
    ("Europe/London", date(2026, 10, 25), 1, 0),       # fall back 02:00 -> 01:00
    ("Australia/Sydney", date(2026, 4, 5), 11, 10),    # fall back 03:00 -> 02:00
    ("Australia/Sydney", date(2026, 10, 4), 10, 11),   # spring forward 02:00 -> 03:00
]


def local_day(zone: str, day: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    return datetime.combine(day, time(), tz), datetime.combine(day + timedelta(days=1), time(), tz)


@pytest.mark.parametrize("zone,day,before,after", TRANSITIONS_2026)
def test_a_morning_window_gives_twelve_slots_on_transition_days_and_the_days_around_them(zone, day, before, after):
    for offset in (-1, 0, 1):
        starts = slot_starts(MORNINGS, zone, *local_day(zone, day + timedelta(days=offset)))
        local = [s.astimezone(ZoneInfo(zone)) for s in starts]
        assert len(starts) == 12
        assert [t.strftime("%H:%M") for t in local[:2]] == ["09:00", "09:15"]
        assert local[-1].strftime("%H:%M") == "11:45"


@pytest.mark.parametrize("zone,day,before,after", TRANSITIONS_2026)
def test_the_utc_instant_of_nine_oclock_moves_with_the_offset(zone, day, before, after):
    first_before = slot_starts(MORNINGS, zone, *local_day(zone, day - timedelta(days=1)))[0]
    first_on = slot_starts(MORNINGS, zone, *local_day(zone, day))[0]
    assert first_before.utcoffset() == timedelta(0)
    assert first_before.hour == (9 - before) % 24
    assert first_on.hour == (9 - after) % 24
    assert first_on - first_before == timedelta(hours=24 - (after - before))


def test_the_skipped_hour_of_spring_forward_gives_no_slot():
    night = {"weekly": [{"weekday": "sun", "start": "01:00", "end": "04:00"}]}
    starts = slot_starts(night, "America/New_York", *local_day("America/New_York", date(2026, 3, 8)))
    local = [s.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") for s in starts]
    assert local == ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30", "03:45"]


def test_the_repeated_hour_of_fall_back_counts_once_at_its_first_occurrence():
    night = {"weekly": [{"weekday": "sun", "start": "01:00", "end": "02:00"}]}
    starts = slot_starts(night, "America/New_York", *local_day("America/New_York", date(2026, 11, 1)))
    assert [s.strftime("%H:%M") for s in starts] == ["05:00", "05:15", "05:30", "05:45"]  # 01:xx EDT


def test_an_override_replaces_the_weekday_and_an_empty_one_is_a_day_off():
    schedule = {**MORNINGS, "overrides": [{"date": "2026-03-10", "windows": [{"start": "14:00", "end": "14:30"}]},
                                          {"date": "2026-03-11", "windows": []}]}
    zone = "Europe/London"
    assert [s.strftime("%H:%M") for s in slot_starts(schedule, zone, *local_day(zone, date(2026, 3, 10)))] == \
        ["14:00", "14:15"]
    assert slot_starts(schedule, zone, *local_day(zone, date(2026, 3, 11))) == []
    assert len(slot_starts(schedule, zone, *local_day(zone, date(2026, 3, 12)))) == 12


def test_time_off_removes_every_slot_it_touches():
    schedule = {**MORNINGS, "time_off": [{"start": "2026-03-10T10:10:00Z", "end": "2026-03-10T11:00:00Z"}]}
    starts = slot_starts(schedule, "UTC", *local_day("UTC", date(2026, 3, 10)))
    assert [s.strftime("%H:%M") for s in starts] == ["09:00", "09:15", "09:30", "09:45", "11:00", "11:15",
                                                      "11:30", "11:45"]


def test_a_window_may_end_at_midnight():
    late = {"weekly": [{"weekday": "tue", "start": "23:00", "end": "24:00"}]}
    starts = slot_starts(late, "UTC", *local_day("UTC", date(2026, 3, 10)))
    assert [s.strftime("%H:%M") for s in starts] == ["23:00", "23:15", "23:30", "23:45"]


def test_only_slots_starting_inside_the_range_are_returned():
    start = datetime(2026, 3, 10, 9, 10, tzinfo=UTC)
    starts = slot_starts(MORNINGS, "UTC", start, start + timedelta(minutes=30))
    assert [s.strftime("%H:%M") for s in starts] == ["09:15", "09:30"]


def test_offers_is_true_only_for_an_exact_slot_start():
    at = datetime(2026, 3, 10, 14, 15, tzinfo=UTC)  # 09:15 in New York (EST)
    assert offers(MORNINGS, "America/New_York", at)
    assert not offers(MORNINGS, "America/New_York", at + timedelta(minutes=5))
    assert not offers(MORNINGS, "America/New_York", at + timedelta(hours=3))


def test_on_grid_accepts_quarter_hours_only():
    assert on_grid(datetime(2026, 3, 10, 9, 45, tzinfo=UTC))
    assert not on_grid(datetime(2026, 3, 10, 9, 50, tzinfo=UTC))
    assert not on_grid(datetime(2026, 3, 10, 9, 45, 1, tzinfo=UTC))
