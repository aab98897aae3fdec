"""Lockout arithmetic: 5 failures in 15 minutes lock for 15 minutes after the fifth."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.staff.domain.lockout import ACCOUNT, ADDRESS, Limit, locked_until, retry_after_seconds

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes_ago(*ms):
    return [NOW - timedelta(minutes=m) for m in ms]


def test_four_failures_lock_nothing_and_the_fifth_locks_for_fifteen_minutes_from_itself():
    assert locked_until(minutes_ago(4, 3, 2, 1), NOW, ACCOUNT) is None
    assert locked_until(minutes_ago(4, 3, 2, 1, 0), NOW, ACCOUNT) == NOW + timedelta(minutes=15)


def test_five_failures_spread_over_more_than_fifteen_minutes_lock_nothing():
    assert locked_until(minutes_ago(15, 10, 5, 2, 0), NOW, ACCOUNT) is None
    assert locked_until(minutes_ago(14, 10, 5, 2, 0), NOW, ACCOUNT) == NOW + timedelta(minutes=15)


def test_the_lock_ends_fifteen_minutes_after_the_failure_that_completed_the_five():
    failures = minutes_ago(20, 19, 18, 17, 16)  # locked from 16 minutes ago until 1 minute ago

    assert locked_until(failures, NOW - timedelta(minutes=2), ACCOUNT) == NOW - timedelta(minutes=1)
    assert locked_until(failures, NOW - timedelta(minutes=1), ACCOUNT) is None
    assert locked_until(failures, NOW, ACCOUNT) is None


def test_a_lock_holds_until_its_end_and_retry_after_counts_the_seconds_left():
    failures = minutes_ago(20, 19, 18, 17, 16)
    at = NOW - timedelta(minutes=5)
    until = locked_until(failures, at, ACCOUNT)
    assert until == NOW - timedelta(minutes=1)
    assert retry_after_seconds(until, at) == 240
    assert retry_after_seconds(until, until - timedelta(milliseconds=10)) == 1


def test_failures_later_than_now_do_not_count_and_the_address_limit_needs_twenty():
    assert locked_until([NOW + timedelta(seconds=1)] * 5, NOW, ACCOUNT) is None
    assert locked_until([NOW] * 19, NOW, ADDRESS) is None
    assert locked_until([NOW] * 20, NOW, ADDRESS) == NOW + timedelta(minutes=15)


def test_lookback_covers_the_window_and_the_lock():
    assert Limit(3, timedelta(minutes=5), timedelta(minutes=7)).lookback == timedelta(minutes=12)
