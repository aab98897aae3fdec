"""Fixtures of the booking service's integration tests: a frozen clock and a migrated service."""
from __future__ import annotations

import pytest
from booking_support import NOW, Booking

from shared.clock import FrozenClock


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def make_booking(make_container, clock):
    def make(**env) -> Booking:
        env.setdefault("HOLDS_PER_MINUTE_PER_ADDRESS", "1000")
        env.setdefault("HOLD_MAX_LIVE_PER_ADDRESS", "1000")  # every test client is one address
        env.setdefault("HOLD_CHALLENGE_AFTER", "0")
        env.setdefault("ONE_CONSULTATION_DAYS", "0")  # every test client is one person (the rule's tests set it)
        return Booking(make_container("booking", clock=clock, **env), clock)
    return make


@pytest.fixture
def booking(make_booking) -> Booking:
    return make_booking()

