"""Open slots in the pure domain: the search window, cached expansions, busy slots, ordering, DST."""
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.availability.domain.model import Invalid
from services.availability.domain.slots import (
    ExpansionCache,
    busy_sets,
    epoch,
    instant,
    merge,
    open_starts,
    search_window,
)

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
NOTICE, WEEK = timedelta(hours=2), timedelta(days=7)
MORNINGS = {"weekly": [{"weekday": d, "start": "09:00", "end": "12:00"}
                       for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]}


def test_the_window_runs_from_now_plus_notice_to_now_plus_the_lookahead_inclusive():
    low, high = search_window(NOW, NOTICE, WEEK)
    assert low == NOW + NOTICE and NOW + WEEK < high <= NOW + WEEK + timedelta(seconds=1)


def test_a_slot_may_start_at_the_lookaheads_last_instant_but_not_a_moment_before_the_notice_ends():
    now = datetime(2026, 3, 4, 12, 0, 0, 1, tzinfo=UTC)  # a microsecond past 12:00
    cache = ExpansionCache()
    cache.put("c1", 1, "UTC", {"weekly": [{"weekday": "wed", "start": "14:00", "end": "14:30"}]},
              now - timedelta(days=1), now + timedelta(days=10))
    assert [instant(t).strftime("%H:%M") for t in cache.starts("c1", *search_window(now, NOTICE, WEEK))] == \
        ["14:15"]
    exact = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    assert [instant(t).strftime("%d %H:%M") for t in cache.starts("c1", *search_window(exact, NOTICE, WEEK))] == \
        ["04 14:00", "04 14:15"]
    assert [instant(t).strftime("%d %H:%M")
            for t in cache.starts("c1", *search_window(exact - timedelta(days=7, hours=-2), NOTICE, WEEK))] == \
        ["04 14:00"]


def test_a_range_reaching_outside_the_window_is_clipped_to_it():
    low, high = search_window(NOW, NOTICE, WEEK, NOW - timedelta(days=1), NOW + timedelta(days=30))
    assert (low, high) == search_window(NOW, NOTICE, WEEK)
    inner = (NOW + timedelta(days=2), NOW + timedelta(days=3))
    assert search_window(NOW, NOTICE, WEEK, *inner) == inner
    assert search_window(NOW, NOTICE, WEEK, NOW + WEEK)[0] == NOW + WEEK


def test_a_range_inside_the_notice_period_is_empty_not_an_error():
    low, high = search_window(NOW, NOTICE, WEEK, NOW, NOW + timedelta(hours=1))
    assert low == high


def test_a_start_after_the_end_names_both_fields():
    with pytest.raises(Invalid) as caught:
        search_window(NOW, NOTICE, WEEK, NOW + timedelta(days=2), NOW + timedelta(days=1))
    assert set(caught.value.errors) == {"start", "end"}


def test_a_range_wholly_beyond_the_lookahead_names_start():
    with pytest.raises(Invalid) as caught:
        search_window(NOW, NOTICE, WEEK, NOW + timedelta(days=8), NOW + timedelta(days=9))
    assert list(caught.value.errors) == ["start"]


def test_a_range_wholly_in_the_past_names_end():
    with pytest.raises(Invalid) as caught:
        search_window(NOW, NOTICE, WEEK, NOW - timedelta(days=2), NOW - timedelta(days=1))
    assert list(caught.value.errors) == ["end"]


def test_an_expansion_is_reused_until_its_version_or_zone_changes_or_the_window_outgrows_it():
    cache = ExpansionCache()
    low, high = NOW, NOW + WEEK
    assert cache.stale([("c1", 1, "UTC")], low, high) == ["c1"]
    cache.put("c1", 1, "UTC", MORNINGS, NOW - timedelta(days=1), NOW + timedelta(days=10))
    assert cache.stale([("c1", 1, "UTC")], low, high) == []
    assert cache.stale([("c1", 2, "UTC")], low, high) == ["c1"]
    assert cache.stale([("c1", 1, "Europe/London")], low, high) == ["c1"]
    assert cache.stale([("c1", 1, "UTC")], low + WEEK, high + WEEK) == ["c1"]


def test_cached_starts_are_cut_to_the_asked_range():
    cache = ExpansionCache()
    cache.put("c1", 1, "America/New_York", MORNINGS, NOW - timedelta(days=1), NOW + timedelta(days=10))
    day = datetime(2026, 3, 8, tzinfo=ZoneInfo("America/New_York"))  # spring-forward Sunday
    starts = cache.starts("c1", day, day + timedelta(days=1))
    assert [instant(t).astimezone(day.tzinfo).strftime("%H:%M") for t in starts][::11] == ["09:00", "11:45"]
    assert len(starts) == 12


def test_busy_rows_cover_every_slot_they_overlap():
    start = datetime(2026, 3, 5, 14, 0)  # naive UTC, as the database gives it
    busy = busy_sets([("c1", start, start + timedelta(minutes=15)),
                      ("c2", start + timedelta(minutes=5), start + timedelta(minutes=35))])
    assert busy["c1"] == {epoch(start)}
    assert busy["c2"] == {epoch(start) + 900 * k for k in range(3)}


def test_open_starts_leave_busy_ones_out():
    assert open_starts([0, 900, 1800], {900}) == [0, 1800]
    assert open_starts([0, 900], None) == [0, 900]


def test_merged_slots_are_sorted_by_start_then_clinician():
    merged = merge({"b": [900, 0], "a": [900], "c": [1800, 0]})
    assert len(merged) == 5
    assert list(merged) == [(0, "b"), (0, "c"), (900, "a"), (900, "b"), (1800, "c")]


def test_epoch_treats_naive_datetimes_as_utc():
    aware = datetime(2026, 3, 5, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert epoch(aware) == epoch(datetime(2026, 3, 5, 14, 0)) == int(aware.timestamp())
    assert instant(epoch(aware)) == aware
