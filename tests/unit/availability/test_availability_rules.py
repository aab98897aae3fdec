"""What staff may save: zones, language codes, and schedules on the grid without overlaps."""
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.availability.domain.rules import canonical_schedule, is_language, is_zone, schedule_errors


def weekly(*windows):
    return [{"weekday": day, "start": start, "end": end} for day, start, end in windows]


def errors_of(weekly_windows=(), overrides=(), time_off=()):
    return schedule_errors(list(weekly_windows), list(overrides), list(time_off))


def test_a_sound_schedule_has_no_errors():
    assert errors_of(weekly(("mon", "09:00", "12:00"), ("mon", "12:00", "13:00"), ("tue", "09:00", "24:00")),
                     [{"date": date(2026, 3, 10), "windows": []}]) == {}


@pytest.mark.parametrize("value", ["09:10", "09:59", "10:01"])
def test_a_time_off_the_quarter_hour_grid_is_named(value):
    assert list(errors_of(weekly(("mon", value, "12:00")))) == ["weekly.0.start"]


@pytest.mark.parametrize("value", ["9:00", "25:00", "24:15", "09:60", "nine", "09:00\n", ""])
def test_a_malformed_time_is_named(value):
    assert "weekly.0.end" in errors_of(weekly(("mon", "08:00", value)))


@pytest.mark.parametrize("start,end", [("12:00", "09:00"), ("09:00", "09:00"), ("24:00", "24:00")])
def test_a_window_that_does_not_end_after_it_starts_is_named_by_its_end(start, end):
    assert list(errors_of(weekly(("wed", start, end)))) == ["weekly.0.end"]


def test_overlapping_windows_of_one_weekday_name_the_later_one():
    errors = errors_of(weekly(("mon", "09:00", "12:00"), ("tue", "09:00", "12:00"), ("mon", "11:00", "13:00")))
    assert list(errors) == ["weekly.2.start"]
    assert "weekly.0" in errors["weekly.2.start"][0]


def test_a_window_inside_a_long_one_is_caught_even_after_a_short_neighbour():
    errors = errors_of(weekly(("fri", "08:00", "18:00"), ("fri", "09:00", "10:00"), ("fri", "11:00", "12:00")))
    assert set(errors) == {"weekly.1.start", "weekly.2.start"}


def test_an_override_repeating_a_date_is_named():
    overrides = [{"date": date(2026, 3, 10), "windows": []}, {"date": date(2026, 3, 10), "windows": []}]
    assert list(errors_of(overrides=overrides)) == ["overrides.1.date"]


def test_override_windows_are_checked_with_their_full_path():
    overrides = [{"date": date(2026, 3, 10), "windows": [{"start": "10:00", "end": "11:00"},
                                                          {"start": "10:30", "end": "11:07"}]}]
    assert set(errors_of(overrides=overrides)) == {"overrides.0.windows.1.end"}
    overrides[0]["windows"][1]["end"] = "11:15"
    assert set(errors_of(overrides=overrides)) == {"overrides.0.windows.1.start"}


def test_time_off_must_end_after_it_starts():
    at = datetime(2026, 3, 10, 9, tzinfo=UTC)
    assert list(errors_of(time_off=[{"start": at, "end": at + timedelta(hours=1)},
                                    {"start": at, "end": at}])) == ["time_off.1.end"]


@pytest.mark.parametrize("name,ok", [("Europe/London", True), ("America/Argentina/Buenos_Aires", True),
                                     ("UTC", True), ("Mars/Olympus_Mons", False), ("EST", False),
                                     ("../../etc/passwd", False), ("europe/london", False), ("", False)])
def test_only_iana_zone_names_are_zones(name, ok):
    assert is_zone(name) is ok


@pytest.mark.parametrize("code,ok", [("en", True), ("pt-BR", True), ("yue", True), ("zh-Hant-TW", True),
                                     ("english", False), ("e", False), ("en_US", False), ("en-", False)])
def test_language_codes_look_like_bcp47(code, ok):
    assert is_language(code) is ok


def test_the_stored_form_is_sorted_with_utc_instants():
    eastern = timezone(timedelta(hours=-5))
    stored = canonical_schedule(
        weekly(("tue", "13:00", "14:00"), ("mon", "10:00", "11:00"), ("mon", "08:00", "09:00")),
        [{"date": date(2026, 3, 12), "windows": []}, {"date": date(2026, 3, 10), "windows": []}],
        [{"start": datetime(2026, 3, 10, 9, tzinfo=eastern), "end": datetime(2026, 3, 10, 17, tzinfo=eastern)}])
    assert [(w["weekday"], w["start"]) for w in stored["weekly"]] == [("mon", "08:00"), ("mon", "10:00"),
                                                                      ("tue", "13:00")]
    assert [o["date"] for o in stored["overrides"]] == ["2026-03-10", "2026-03-12"]
    assert stored["time_off"] == [{"start": "2026-03-10T14:00:00Z", "end": "2026-03-10T22:00:00Z"}]
